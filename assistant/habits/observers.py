"""What runs after a turn: observers the turn pipeline calls, in order, each testable alone.

An observer of the `Stage.REPLY` stage runs before the turn is logged and may add to what the
user hears (the teaching offer, the routine offer), so the log holds the reply the user heard.
One of the `Stage.LOGGED` stage runs after the turn is in the log (inference reads it there).
Observers read typed fields of the `TurnResult` (applied directives, intent, actions,
problems, ``implicit_used``, ``forgot``), never the English of the reply.

An observer that asks a question, or remembers something for the next turn, sets slots of
Rasa's tracker (``turn.slots``, written by the pipeline after the turn; `assistant.habits.pending`):
the tracker is the one place the open question lives, and the rules of stories/rules/habits.yml
send its answer to the right action.

``services`` is the runtime in production (`TurnServices`: what observers may use of it); a
test passes any object with the attributes an observer uses.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from assistant.habits import concepts as cx
from assistant.habits import pending
from assistant.turn import TurnResult

if TYPE_CHECKING:
    from assistant.home import Home
    from assistant.learning.config import LearningFlags
    from assistant.learning.log import InteractionLog, TurnRecord
    from assistant.learning.rewrites import RewriteStore
    from assistant.paths import DataDir
    from assistant.prefs.store import PreferenceStore

log = logging.getLogger(__name__)

FALLBACK_ACTIONS = ("utter_default", "action_default_fallback")
# What makes a turn evidence for inference: music played, or a forecast given ...
EVIDENCE_ACTIONS = frozenset({"action_weather"})
# ... or a team or a cuisine the request named (which may resolve one it lacked: `implicit.resolutions`).
NAMING_ACTIONS = frozenset({"action_team_score", "action_find_restaurant"})
REJECTING_INTENTS = frozenset({"deny", "complain"})
ROUTINE_WINDOW_MINUTES = 60.0
ROUTINE_OFFER = "You usually start the coffee after your alarm. Want me to do that every morning?"
ROUTINE_NAME = "coffee after the alarm"


class Stage(enum.Enum):
    REPLY = "reply"     # before logging: may add to the replies
    LOGGED = "logged"   # after logging: reads the log, writes the stores


@dataclass
class ObservedTurn:
    """One turn as the observers see it. ``record`` is its log row and ``previous`` the
    user's turn before it (both None until the turn is logged, or when it was not);
    ``context`` is the ambient context the turn was played in (`assistant.context`)."""

    result: TurnResult
    user_id: str
    device_id: str
    when: dt.datetime
    barge_in: bool = False
    context: dict[str, Any] = field(default_factory=dict)
    record: "TurnRecord | None" = None
    previous: "TurnRecord | None" = None
    slots: dict[str, Any] = field(default_factory=dict)   # to set in the tracker after the turn


class TurnServices(Protocol):
    """What an observer (and the habits layer's hooks) may use of the stack: the runtime in
    production, a fake in a test. Read-only: an observer changes the stores, never swaps them."""

    @property
    def home(self) -> Home: ...

    @property
    def data(self) -> DataDir: ...

    @property
    def learning(self) -> LearningFlags: ...

    @property
    def log(self) -> InteractionLog | None: ...

    @property
    def rewrites(self) -> RewriteStore | None: ...

    @property
    def preferences(self) -> PreferenceStore: ...

    def sender_id(self, user_id: str) -> str:
        """The Rasa conversation id of a user."""
        ...


class TurnObserver(Protocol):
    """Something that runs after every turn, at its stage."""

    stage: Stage

    def observe(self, services: TurnServices, turn: ObservedTurn) -> None:
        """React to the turn (may change ``turn.result`` only at the REPLY stage)."""
        ...


def run_observers(observers: list[TurnObserver], stage: Stage, services: TurnServices, turn: ObservedTurn) -> None:
    """Call the observers of ``stage`` in order; one that fails is logged and skipped (the
    learning layer never breaks a turn)."""
    for observer in observers:
        if observer.stage is not stage:
            continue
        try:
            observer.observe(services, turn)
        except Exception as error:  # noqa: BLE001 - an observer never breaks the turn
            log.error("%s failed after the turn of %s: %s", type(observer).__name__, turn.user_id, error)


def is_evidence(result: TurnResult) -> bool:
    """The turn may change what is inferred about the user (music played, a forecast given, a team
    or a cuisine named rather than filled in)."""
    if any(d.startswith("play ") for d in result.applied):
        return True
    if result.problems:
        return False
    named = result.report.rested_on is None and bool(result.report.answered)
    return bool(EVIDENCE_ACTIONS & set(result.actions)) or (named and bool(NAMING_ACTIONS & set(result.actions)))


# -- the REPLY stage -------------------------------------------------------------------


class TeachingOffer:
    """A plain request the model did not understand, that looks like a name: "Can you teach me?"
    (its replies replace the fallback's)."""

    stage = Stage.REPLY

    def observe(self, services: TurnServices, turn: ObservedTurn) -> None:
        from assistant.habits.recognise import looks_like_name, teaching_question

        result = turn.result
        if not (services.learning.teachable and not_understood(result)):
            return
        if not looks_like_name(result.text):
            return
        name = cx.normalize(result.text)
        turn.slots.update(pending.ask(pending.Waiting.STEPS, name, pending.epoch(turn.when)))
        result.replies[:] = [teaching_question(name)]
        result.amended_by.append(type(self).__name__)


class RoutineOffer:
    """The coffee started soon after the alarm, a routine mined from the user's mornings and
    never offered: offer it once (the answer is the next turn's)."""

    stage = Stage.REPLY

    def observe(self, services: TurnServices, turn: ObservedTurn) -> None:
        from assistant.habits import hook, routines
        from assistant.habits.store import MarkKind
        from assistant.prefs.keys import PrefKey

        if not any(d.startswith("brew ") for d in turn.result.applied):
            return
        home = services.home
        if not routines.alarm_rang_within(home.events, home.clock.now, ROUTINE_WINDOW_MINUTES):
            return
        if services.preferences.get(turn.user_id, PrefKey.MORNING_ROUTINE):
            return
        store = hook.habit_store(services)
        if any(m.value == ROUTINE_NAME for m in store.marks(turn.user_id, MarkKind.OFFERED)):
            return
        if hook.mined_routine(services, turn.user_id, also=[activity(services, turn)]) is None:
            return
        store.mark(turn.user_id, MarkKind.OFFERED, "routine", ROUTINE_NAME, at=turn.when)
        turn.slots.update(pending.ask(pending.Waiting.ROUTINE, ROUTINE_NAME, pending.epoch(turn.when)))
        turn.result.replies.append(ROUTINE_OFFER)
        turn.result.amended_by.append(type(self).__name__)


def activity(services: TurnServices, turn: ObservedTurn) -> "TurnRecord":
    """What mining needs of this turn before it is logged: its time, directives and events."""
    from assistant.learning.log import TurnRecord

    result = turn.result
    return TurnRecord(user_id=turn.user_id, device_id=turn.device_id, session_id=services.sender_id(turn.user_id),
                      timestamp=turn.when, text=result.text, directives=list(result.directives),
                      refused=[list(r) for r in result.refused],
                      context={"recent_events": list(turn.context.get("recent_events") or [])})


def not_understood(result: TurnResult) -> bool:
    """The model fell back on a plain request: no form, question or offer was answered."""
    slots = result.slots or {}
    return bool(result.intent == "nlu_fallback"
                and result.actions and all(a in FALLBACK_ACTIONS for a in result.actions)
                and not slots.get("requested_slot") and not slots.get("pending_question")
                and not slots.get("pending_city") and not slots.get(pending.PENDING))


# -- the LOGGED stage ------------------------------------------------------------------


class RejectedInference:
    """A "no", a complaint or a barge-in right after a turn that used an inferred value lowers it."""

    stage = Stage.LOGGED

    def observe(self, services: TurnServices, turn: ObservedTurn) -> None:
        from assistant.habits import hook
        from assistant.habits.implicit import reject
        from assistant.prefs.keys import PrefKey

        last = (turn.result.slots or {}).get(pending.LAST_IMPLICIT)
        if not last:
            return
        turn.slots[pending.LAST_IMPLICIT] = None   # only the next turn may say no to it
        if turn.result.intent in REJECTING_INTENTS or turn.barge_in:
            key, value = last
            reject(services.preferences, hook.habit_store(services), turn.user_id, PrefKey(key), value, turn.when)


class ImplicitInference:
    """After a turn that is evidence, infer the speaking user's implicit preferences again."""

    stage = Stage.LOGGED

    def observe(self, services: TurnServices, turn: ObservedTurn) -> None:
        from assistant.habits import hook

        if services.learning.teachable and services.log is not None and is_evidence(turn.result):
            hook.infer_now(services, turn.user_id, turn.when)


class RememberImplicit:
    """Remember which inferred value this turn used (``implicit_used``), so the next turn's "no"
    can lower it."""

    stage = Stage.LOGGED

    def observe(self, services: TurnServices, turn: ObservedTurn) -> None:
        from assistant.habits.implicit import INFERRED_KEYS
        from assistant.prefs.keys import Source

        used = {v.lower() for v in turn.result.implicit_used}
        if not used:
            return
        for pref in services.preferences.get(turn.user_id):
            if pref.source is Source.IMPLICIT and pref.key in INFERRED_KEYS and pref.value.lower() in used:
                turn.slots[pending.LAST_IMPLICIT] = [pref.key.value, pref.value]
                return


class RememberForgetting:
    """Mark the keys the user had forgotten, so inference doesn't bring them back from older
    turns ("*": every store already forgot the user, marks and log included)."""

    stage = Stage.LOGGED

    def observe(self, services: TurnServices, turn: ObservedTurn) -> None:
        from assistant.habits import hook
        from assistant.habits.store import MarkKind

        forgot = turn.result.forgot
        if not forgot or "*" in forgot:
            return
        store = hook.habit_store(services)
        for key in forgot:
            store.mark(turn.user_id, MarkKind.FORGOT, key, at=turn.when)


def habits_observers() -> list[TurnObserver]:
    """The habits layer's observers, in the order they run within their stage."""
    return [TeachingOffer(), RoutineOffer(), RejectedInference(), ImplicitInference(), RememberImplicit(),
            RememberForgetting()]
