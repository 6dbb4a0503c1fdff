"""The runtime's habits hook: concepts and routine context before a plain turn.

The turn pipeline calls `intercept` with the cleaned text. Before Rasa: an answer to a question
the habits layer asked, a teaching ("when I say movie time, ..."), "forget movie time", "what
does movie time mean?", a taught concept (each step played through the pipeline's
`play_step`, which never comes back here), and `plain_text`: "start it" after the alarm when
the user's routine says the coffee. What runs after the plain turn (the teaching and routine
offers, implicit inference, a "no" to an inferred value, forgetting) is the observers of
`assistant.habits.observers`. The questions waiting for an answer live on the runtime
(``runtime.habits_state``), not in this module.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import logging
import re
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable

from assistant.habits import concepts as cx
from assistant.turn import TurnResult

if TYPE_CHECKING:
    from assistant.habits.store import HabitStore
    from assistant.learning.log import TurnRecord

log = logging.getLogger(__name__)

# Intents a taught step may have: they change the home or answer, never the user's data.
STEP_INTENTS = frozenset({
    "turn_on", "turn_off", "set_brightness", "set_color", "set_temperature", "open_device", "close_device",
    "lock_device", "unlock_device", "start_coffee", "play_media", "set_alarm", "cancel_alarm", "set_timer",
    "stop", "ask_weather", "ask_time", "ask_temperature", "ask_device_state", "ask_team_score",
    "find_restaurant",
})
# Intents that act on a device: the step must name one the home's vocabulary knows.
DEVICE_INTENTS = frozenset({"turn_on", "turn_off", "set_brightness", "set_color", "open_device", "close_device",
                            "lock_device", "unlock_device"})
MIN_STEP_CONFIDENCE = 0.35  # the FallbackClassifier threshold in config.yml
NAME_COMMAND_CONFIDENCE = 0.95
ROUTINE_WINDOW_MINUTES = 60.0
VAGUE_START = re.compile(r"^(?:please\s+)?(?:start it|start that|start it up|get it going|get that going|"
                         r"get it started|fire it up|kick it off|turn it on|switch it on)(?:\s+please)?$")
COFFEE_REQUEST = "start the coffee maker"
PRONOUNS = frozenset({"it", "that", "this", "these", "those", "they", "them", "you", "me", "i", "we", "he",
                      "she", "what", "which", "so", "the", "a", "an"})
PENDING_MINUTES = 5.0   # a question not answered within this long (or in a new conversation) lapses


# The intents of turns this hook answers itself (no Rasa intent of that name exists).
HOOK_INTENTS = frozenset({"teach_concept", "run_concept", "ask_concept", "forget_concept", "routine_offer"})


class Waiting(enum.Enum):
    STEPS = "steps"            # "Can you teach me?" asked; the answer is the steps
    CONFIRM = "confirm"        # "Shall I remember that?"
    ROUTINE = "routine"        # the routine offer


@dataclass
class Pending:
    """A question this hook asked, in one conversation (``sender``), at ``at``."""

    waiting: Waiting
    name: str = ""
    steps: tuple[str, ...] = ()
    sender: str = ""
    at: dt.datetime | None = None


@dataclass
class HookState:
    """Per runtime (``runtime.habits_state``): questions waiting for an answer, and the last
    inferred value applied."""

    pending: dict[str, Pending] = field(default_factory=dict)
    last_implicit: dict[str, tuple[Any, str]] = field(default_factory=dict)
    habits: "HabitStore | None" = None


def state(runtime: Any) -> HookState:
    """The runtime's habits state."""
    return runtime.habits_state


def reset(runtime: Any) -> None:
    """Forget the questions waiting for an answer and the last inferred values applied."""
    st = state(runtime)
    st.pending.clear()
    st.last_implicit.clear()


def habit_store(runtime: Any) -> "HabitStore":
    """The habits tables in the runtime's preference database (opened once)."""
    from assistant.habits.store import HabitStore

    st = state(runtime)
    if st.habits is None:
        st.habits = HabitStore.open(runtime.data.prefs_url)
    return st.habits


def intercept(runtime: Any, text: str, *, user_id: str, device_id: str, **turn: Any) -> TurnResult | None:
    """The turn as this hook answers it (already logged), or None for the pipeline's plain turn."""
    try:
        return _Turn(runtime, text, user_id, device_id, turn).before()
    except Exception as error:  # noqa: BLE001 - the habits layer must never break a turn
        log.error("habits hook failed before the turn of %s: %s", user_id, error)
        return None


def plain_text(runtime: Any, text: str, *, user_id: str, device_id: str, **turn: Any) -> str:
    """The text for Rasa: "start it" after the alarm means the coffee when that is the user's
    routine (taught, or mined from their mornings)."""
    try:
        return _Turn(runtime, text, user_id, device_id, turn).plain_text()
    except Exception as error:  # noqa: BLE001
        log.error("habits hook could not read the routine of %s: %s", user_id, error)
        return text


def ask(runtime: Any, user_id: str, pending: Pending, when: dt.datetime) -> None:
    """Remember a question the habits layer asked the user, in their current conversation."""
    pending.sender, pending.at = runtime.sender_id(user_id), when
    state(runtime).pending[user_id] = pending


def teaching_question(name: str) -> str:
    return (f"I don't know what \"{name}\" means. Can you teach me? Tell me what to do, "
            "like \"dim the lights and turn on the TV\".")


def mined_routine(runtime: Any, user_id: str, also: Iterable["TurnRecord"] = ()) -> Any:
    """The coffee-after-the-alarm routine mined from the user's logged mornings (and ``also``,
    a turn not logged yet), or None."""
    import itertools

    from assistant.habits import routines

    if runtime.log is None:
        return None
    turns = itertools.chain(runtime.log.turns(user_id=user_id), also)
    mined = routines.mine(routines.timeline(turns))
    return routines.coffee_after_alarm(mined, user_id)


def looks_like_name(text: str) -> bool:
    """A short phrase of plain words that names no device, room or command."""
    from assistant.catalog import load_catalog

    words = cx.normalize(text).split()
    if not 1 <= len(words) <= 3 or not all(w.isalpha() and _pronounceable(w) for w in words):
        return False
    if set(words) & (cx.COMMAND_VERBS | cx.RESERVED | PRONOUNS):
        return False
    catalog = load_catalog()
    return catalog.device_kind_for(" ".join(words)) is None and catalog.room_for(" ".join(words)) is None


def infer_now(runtime: Any, user_id: str | None = None, now: dt.datetime | None = None) -> Any:
    """Infer implicit preferences from the runtime's log (one user, or everyone) and store
    them; the `InferReport`. The runtime calls it for the speaking user after a turn that
    is evidence; a simulator may call it for everyone after each day."""
    from assistant.habits.implicit import infer

    when = now or runtime.home.clock.now
    return infer(runtime.log, runtime.preferences, when, habits=habit_store(runtime), user_id=user_id)


class _Turn:
    def __init__(self, runtime: Any, text: str, user_id: str, device_id: str, turn: dict[str, Any]) -> None:
        self.rt, self.text, self.user, self.device, self.turn = runtime, text, user_id, device_id, turn
        self.state = state(runtime)
        self.when: dt.datetime = turn.get("timestamp") or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)

    # -- before Rasa -------------------------------------------------------------------

    def before(self) -> TurnResult | None:
        pending = self.state.pending.pop(self.user, None)
        if pending is not None and self.current(pending):
            answered = self.answer(pending)
            if answered is not None:
                return answered
        teaching = cx.parse_teaching(self.text)
        if teaching is not None:
            return self.teach(teaching, confirm=False)
        known = {c.name: list(c.steps) for c in habit_store(self.rt).concepts(self.user)}
        forget = cx.parse_forget(self.text)
        if forget and forget in known:
            habit_store(self.rt).forget_concept(self.user, forget)
            return self.reply(f"Okay, I've forgotten what \"{forget}\" means.", "forget_concept")
        asked = cx.parse_question(self.text)
        if asked:
            if asked in known:
                return self.reply(f"When you say \"{asked}\", I {cx.describe_steps(known[asked])}.",
                                  "ask_concept")
            if self.rt.learning.teachable and self.looks_like_name(asked):
                return self.offer_teaching(asked, "ask_concept")
        name = cx.named(self.text, list(known))
        if name:
            return self.run(name, known)
        return None

    def ask(self, pending: Pending) -> None:
        ask(self.rt, self.user, pending, self.when)

    def current(self, pending: Pending) -> bool:
        """Whether the question is still open: same conversation, not long ago."""
        if pending.sender != self.rt.sender_id(self.user) or pending.at is None:
            return False
        return dt.timedelta(0) <= self.when - pending.at <= dt.timedelta(minutes=PENDING_MINUTES)

    def plain_text(self) -> str:
        """The text for Rasa: "start it" after the alarm means the coffee when that is the
        user's routine (taught, or mined from their mornings)."""
        if not VAGUE_START.match(cx.normalize(self.text)):
            return self.text
        from assistant.habits import routines

        if not routines.alarm_rang_within(self.rt.home.events, self.rt.home.clock.now, ROUTINE_WINDOW_MINUTES):
            return self.text
        if self.taught_routine() or self.mined_routine() is not None:
            return COFFEE_REQUEST
        return self.text

    def taught_routine(self) -> bool:
        from assistant.prefs.keys import COFFEE_AFTER_ALARM, PrefKey

        return self.rt.preferences.first_liked(self.user, PrefKey.MORNING_ROUTINE) == COFFEE_AFTER_ALARM

    def mined_routine(self) -> Any:
        return mined_routine(self.rt, self.user)

    # -- answers to this hook's questions ----------------------------------------------

    def answer(self, pending: Pending) -> TurnResult | None:
        if pending.waiting is Waiting.STEPS:
            if cx.is_no(self.text):
                return self.reply("Okay, never mind.", "teach_concept")
            steps = tuple(cx.split_steps(self.text))
            if not any(self.step_intent(step) for step in steps):
                return None  # not an answer: a new request
            return self.teach(cx.Teaching(pending.name, steps), confirm=True)
        yes, no = cx.is_yes(self.text), cx.is_no(self.text)
        if not (yes or no):
            return None  # the question lapses; the text is a new request
        if pending.waiting is Waiting.CONFIRM:
            if no:
                return self.reply(f"Okay, I won't remember \"{pending.name}\".", "teach_concept")
            habit_store(self.rt).save_concept(self.user, pending.name, pending.steps)
            return self.reply(f"Done: say \"{pending.name}\" whenever you like.", "teach_concept")
        from assistant.prefs.keys import COFFEE_AFTER_ALARM, Polarity, PrefKey, Source

        if no:
            return self.reply("Okay, I won't.", "routine_offer")
        self.rt.preferences.set(self.user, PrefKey.MORNING_ROUTINE, COFFEE_AFTER_ALARM, Polarity.LIKE,
                                Source.ASSISTANT)
        return self.reply("Done: every morning after your alarm, I'll start the coffee.", "routine_offer")

    # -- teaching ----------------------------------------------------------------------

    def teach(self, teaching: cx.Teaching, *, confirm: bool) -> TurnResult:
        known = {c.name: list(c.steps) for c in habit_store(self.rt).concepts(self.user)
                 if c.name != teaching.name}
        problem = cx.check_shape(teaching, known)
        if problem is None and self.is_command(teaching.name):
            problem = cx.Problem.NAME_IS_COMMAND
        if problem is not None:
            text = cx.PROBLEM_REPLIES[problem].format(name=teaching.name, count=len(teaching.steps))
            return self.reply(text, "teach_concept")
        for step in teaching.steps:
            if cx.named(step, list(known)):
                continue  # another concept: checked when it was taught
            reason = self.dry_run(step)
            if reason:
                return self.reply(f"{reason} Nothing was saved.", "teach_concept")
        steps = cx.describe_steps(teaching.steps)
        if confirm:
            self.ask(Pending(Waiting.CONFIRM, teaching.name, teaching.steps))
            return self.reply(f"So \"{teaching.name}\" means: {steps}. Shall I remember that?", "teach_concept")
        habit_store(self.rt).save_concept(self.user, teaching.name, teaching.steps)
        return self.reply(f"Okay: when you say \"{teaching.name}\", I'll {steps}.", "teach_concept")

    def is_command(self, name: str) -> bool:
        parsed = self.rt._run(self.rt.agent.parse_message(name))  # noqa: SLF001 - NLU only
        intent = parsed.get("intent") or {}
        return intent.get("name") not in ("nlu_fallback", "out_of_scope", None) \
            and float(intent.get("confidence") or 0) >= NAME_COMMAND_CONFIDENCE

    def step_intent(self, step: str) -> bool:
        parsed = self.rt._run(self.rt.agent.parse_message(step))  # noqa: SLF001
        intent = parsed.get("intent") or {}
        return intent.get("name") in STEP_INTENTS and float(intent.get("confidence") or 0) >= MIN_STEP_CONFIDENCE

    def dry_run(self, step: str) -> str | None:
        """Why the home can't do ``step`` (None: it can), tried on a copy of the home through
        the model and the actions, nothing applied and nothing logged."""
        from assistant.context import build_context
        from assistant.home import Directive, Home

        parsed = self.rt._run(self.rt.agent.parse_message(step))  # noqa: SLF001
        intent = parsed.get("intent") or {}
        if intent.get("name") not in STEP_INTENTS or float(intent.get("confidence") or 0) < MIN_STEP_CONFIDENCE:
            return f"I don't know how to \"{step}\" as part of a phrase."
        if intent.get("name") in DEVICE_INTENTS and not (parsed.get("entities") or self.names_device(step)):
            return f"I don't know which device \"{step}\" means, so I can't do it."
        scratch = Home.from_snapshot(self.rt.home.snapshot())
        metadata = {"user_id": self.user, "device_id": self.device, "barge_in": False, "asr_confidence": None,
                    "context": build_context(scratch, self.device), "learning": self.rt.learning.to_metadata()}
        sender = f"{self.user}~teach~{uuid.uuid4().hex[:8]}"
        messages = self.rt._run(self.rt._handle_async(step, sender, metadata))  # noqa: SLF001
        said = " ".join(m.get("text") or "" for m in messages).strip()
        for message in messages:
            custom = message.get("custom") if isinstance(message.get("custom"), dict) else {}
            if custom.get("problem"):
                return f"I can't \"{step}\" here: {said}"
            for text in custom.get("directives", []):
                outcome = scratch.apply(Directive.parse(str(text)))
                if not outcome.ok:
                    return f"I can't \"{step}\" here: {outcome.message}."
        if re.search(r"(?i)\bcan't\b|\bcouldn't\b|\bthere is no\b|\bwhich\b.*\?", said):
            return f"I can't \"{step}\" here: {said}"
        return None

    @staticmethod
    def names_device(text: str) -> bool:
        from assistant.catalog import load_catalog

        catalog = load_catalog()
        return catalog.device_kind_for(text) is not None or catalog.room_for(text) is not None

    def offer_teaching(self, name: str, intent: str) -> TurnResult:
        self.ask(Pending(Waiting.STEPS, name))
        return self.reply(teaching_question(name), intent)

    looks_like_name = staticmethod(looks_like_name)

    # -- running a concept -------------------------------------------------------------

    def run(self, name: str, known: dict[str, list[str]]) -> TurnResult:
        try:
            steps = cx.expand(name, known)
        except (cx.LoopError, cx.DepthError):
            return self.reply(f"\"{name}\" goes round in a loop with your other phrases, so I didn't "
                              "run it. Teach it again, or say \"forget " + name + "\".", "run_concept")
        combined = TurnResult(text=self.text, intent="run_concept", confidence=1.0)
        combined.replies.append(f"{name[:1].upper()}{name[1:]}:")
        failed = []
        flags = self.rt.learning
        # Steps are not the user repeating themselves: no teachable moments between them.
        self.rt.learning = dataclasses.replace(flags, teachable=False)
        try:
            results = [self.rt.play_step(step, user_id=self.user, device_id=self.device, **self.turn)
                       for step in steps]
        finally:
            self.rt.learning = flags
        for number, (step, result) in enumerate(zip(steps, results), start=1):
            combined.replies.extend(result.replies)
            combined.directives.extend(result.directives)
            combined.applied.extend(result.applied)
            combined.refused.extend(result.refused)
            combined.problems.extend(result.problems)
            combined.actions.extend(result.actions)
            combined.turn_id = result.turn_id
            if result.refused or result.problems or result.intent in ("nlu_fallback", "out_of_scope"):
                failed.append(f"step {number} (\"{step}\")")
        if failed:
            which = cx.describe_steps(failed).replace(", then", " and")
            combined.replies.append(f"{which[:1].upper()}{which[1:]} didn't work; the other steps ran.")
        return combined

    # -- plumbing ----------------------------------------------------------------------

    def reply(self, text: str, intent: str) -> TurnResult:
        """A turn this hook answered without Rasa, logged like any other."""
        from assistant.context import build_context

        result = TurnResult(text=self.text, replies=[text], intent=intent, confidence=1.0,
                            actions=["habits_hook"])
        try:
            context = build_context(self.rt.home, self.device)
            self.rt.finish_turn(result, user_id=self.user, device_id=self.device, context=context,
                                barge_in=bool(self.turn.get("barge_in")),
                                asr_confidence=self.turn.get("asr_confidence"), timestamp=self.when,
                                observers=self.rt.step_observers)
        except Exception as error:  # noqa: BLE001 - logging never breaks the turn
            log.error("could not log a habits turn: %s", error)
        return result


_VOWELS = re.compile(r"[aeiouy]")
_CONSONANT_RUN = re.compile(r"[^aeiouy]{4,}")


def _pronounceable(word: str) -> bool:
    """A word, not keyboard noise ("asdfgh"): has a vowel, no four consonants in a row."""
    return 2 <= len(word) <= 14 and bool(_VOWELS.search(word)) and not _CONSONANT_RUN.search(word)
