"""One turn: what a channel asks the runtime to play (`TurnRequest`) and what it produced (`TurnResult`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Generic, Iterable, Protocol, TypeVar, overload

from assistant.outcomes import Problem, Refused, decode_problem


@dataclass(frozen=True)
class TurnRequest:
    """One user turn as a channel (chat, service, simulator, tests) asks the runtime to play it.

    Attributes:
        text: what the user said (the runtime cleans it).
        user_id: who spoke.
        device_id: the device they spoke to (it must be in the home and able to hear).
        barge_in: the user cut the previous reply off.
        asr_confidence: the speech recogniser's confidence, when there was one.
        timestamp: when the user spoke (the simulator passes its clock); None: now.
        request_id: the client's idempotency key, kept in the log row (a server that replays a
            request another server died on finds the turn it already played).
    """

    text: str
    user_id: str
    device_id: str
    barge_in: bool = False
    asr_confidence: float | None = None
    timestamp: dt.datetime | None = None
    request_id: str | None = None


T = TypeVar("T")


class _FromReport(Generic[T]):
    """A `TurnResult` attribute that is its `ActionReport`'s (read and written there)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, result: None, owner: type) -> "_FromReport[T]": ...

    @overload
    def __get__(self, result: "TurnResult", owner: type) -> T: ...

    def __get__(self, result: "TurnResult | None", owner: type) -> "T | _FromReport[T]":
        if result is None:
            return self
        value: T = getattr(result.report, self.name)
        return value

    def __set__(self, result: "TurnResult", value: T) -> None:
        setattr(result.report, self.name, value)


# -- the actions' structured message --------------------------------------------------------
# Beside its words, an action may send one structured message (Rasa's ``json_message``; an action
# that calls another, as a taught phrase's steps do, passes theirs on). These are all its keys:
DIRECTIVES_KEY = "directives"    # [directive text, ...] for the home to apply
PROBLEM_KEY = "problem"          # a `Problem` code: what went wrong
FORGOT_KEY = "forgot"            # what a confirmed forget removed: preference keys, or FORGOT_EVERYTHING
FORGOT_EVERYTHING = "*"
EXPLORATION_KEY = "exploration"  # {"asked": [intent, intent]} or {"choice": ..., "options": [...]}
IMPLICIT_KEY = "implicit"        # [value, ...]: inferred values the action chose for the user
ASKED_CITY_KEY = "asked_city"    # the city label the user asked the weather of (not the home city)
HABITS_KEY = "habits"            # {"intent": ..., "outcome": ...}: what a habits turn was
CONCEPT_KEY = "concept"          # {"name", "steps", "failed"}: a taught phrase that ran
ANSWERED_KEY = "answered"        # {"city" | "team" | "cuisine" | "questions": value}: what an answer was about
RESTED_ON_KEY = "rested_on"      # {"key": preference key, "stored": bool, "guess": value?}: the answer rested on
#                                  the user's preference for key (stored: the one they have; else a guess for want
#                                  of it, naming the value guessed, or none when nothing could be guessed)
REPAIRED_KEY = "repaired"        # {"kind", "heard", "value", "score", "margin", "scope"}: an entity that did not
#                                  resolve, repaired against the catalogs and the home (assistant.repair.Repair)
REPORT_KEYS = frozenset({DIRECTIVES_KEY, PROBLEM_KEY, FORGOT_KEY, EXPLORATION_KEY, IMPLICIT_KEY, ASKED_CITY_KEY,
                         HABITS_KEY, CONCEPT_KEY, ANSWERED_KEY, RESTED_ON_KEY, REPAIRED_KEY})


@dataclass(frozen=True)
class RestedOn:
    """An answer that rested on one of the user's preferences: the key, and whether the user had
    one stored (False: the action did without it; "play some music" with no music preference).
    ``guess``: the value the action guessed for want of it ("pop", the home's city), or None when
    it could guess nothing ("I don't know your team yet"). The teachable-moment policy offers to
    learn exactly this key: at once when nothing could be guessed, and after a guess only once the
    user names a value of their own (`assistant.teachable.signals.corrected_guess`)."""

    key: str
    stored: bool
    guess: str | None = None

    def to_json(self) -> dict[str, Any]:
        raw: dict[str, Any] = {"key": self.key, "stored": self.stored}
        if self.guess is not None:
            raw["guess"] = self.guess
        return {RESTED_ON_KEY: raw}

    @classmethod
    def decode(cls, raw: Any) -> "RestedOn | None":
        """From the structured message's value; None when absent or malformed."""
        if not isinstance(raw, dict) or not isinstance(raw.get("key"), str) or not raw["key"]:
            return None
        guess = raw.get("guess")
        return cls(raw["key"], raw.get("stored") is True, guess if isinstance(guess, str) and guess else None)


@dataclass
class ActionReport:
    """Everything a turn's actions said in their structured messages, decoded once.

    Wrong types are dropped and unknown keys kept in ``unknown``, never raised on: an action
    of a newer version, or a hand-written one, can't break a turn."""

    directives: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    forgot: list[str] = field(default_factory=list)
    implicit_used: list[str] = field(default_factory=list)
    asked_city: str | None = None
    explore_asked: list[str] = field(default_factory=list)
    explore_choice: str | None = None
    explore_options: list[str] = field(default_factory=list)
    understood_as: str | None = None     # the intent a habits action says the turn had
    concept: dict[str, Any] | None = None
    answered: dict[str, str] = field(default_factory=dict)
    rested_on: "RestedOn | None" = None
    repairs: list[dict[str, Any]] = field(default_factory=list)   # as sent; `assistant.repair.Repair.decode`
    unknown: list[str] = field(default_factory=list)

    @classmethod
    def decode(cls, payloads: Iterable[Any]) -> "ActionReport":
        """The report of a turn's structured messages (non-dict payloads are skipped)."""
        report = cls()
        for custom in payloads:
            if isinstance(custom, dict):
                report._read(custom)
        return report

    def _read(self, custom: dict[str, Any]) -> None:
        if isinstance(custom.get(DIRECTIVES_KEY), list):
            self.directives.extend(str(d) for d in custom[DIRECTIVES_KEY])
        if custom.get(PROBLEM_KEY):
            self.problems.append(decode_problem(custom[PROBLEM_KEY]))
        if isinstance(custom.get(FORGOT_KEY), list):
            self.forgot.extend(str(k) for k in custom[FORGOT_KEY])
        if isinstance(custom.get(IMPLICIT_KEY), list):
            self.implicit_used.extend(str(v) for v in custom[IMPLICIT_KEY])
        if isinstance(custom.get(ASKED_CITY_KEY), str):
            self.asked_city = custom[ASKED_CITY_KEY]
        explore = custom.get(EXPLORATION_KEY)
        if isinstance(explore, dict):
            if isinstance(explore.get("asked"), list):
                self.explore_asked = [str(o) for o in explore["asked"]]
            if explore.get("choice") is not None:
                self.explore_choice = str(explore["choice"])
                self.explore_options = [str(o) for o in explore.get("options") or []]
        habits = custom.get(HABITS_KEY)
        if isinstance(habits, dict) and habits.get("intent"):
            self.understood_as = str(habits["intent"])
        if isinstance(custom.get(CONCEPT_KEY), dict):
            self.concept = dict(custom[CONCEPT_KEY])
        if isinstance(custom.get(ANSWERED_KEY), dict):
            self.answered.update({str(k): str(v) for k, v in custom[ANSWERED_KEY].items() if v is not None})
        rested = RestedOn.decode(custom.get(RESTED_ON_KEY))
        if rested is not None:
            self.rested_on = rested
        if isinstance(custom.get(REPAIRED_KEY), dict):
            self.repairs.append(dict(custom[REPAIRED_KEY]))
        self.unknown.extend(k for k in custom if k not in REPORT_KEYS)


@dataclass
class TurnResult:
    """The outcome of one user turn through the full stack.

    Attributes:
        text: the cleaned text that was sent to Rasa ("" when nothing was sent).
        replies: the bot's text replies, in order.
        report: what the turn's actions said in their structured messages (`ActionReport`);
            ``directives``, ``problems``, ``forgot``, ``implicit_used``, ``asked_city``,
            ``explore_*`` and ``answered`` below are its fields, read and written there.
        directives: device directives the actions asked for, as text ("turn_on kitchen_light").
        applied: directives the home applied.
        refused: `Refused` (directive, reason, message) for directives the home refused; the
            reason is a `Problem` (NO_SUCH_DEVICE, UNSUPPORTED, INVALID_VALUE, DEVICE_OFF...).
        intent: the NLU intent name, or None when Rasa was not called.
        confidence: the intent confidence.
        entities: entities as Rasa reports them ({"entity", "value", ...}).
        actions: the actions Rasa ran this turn (listen excluded).
        slots: the tracker's slots after the turn.
        notice: a note from the runtime about the input (e.g. "text was cut to 500 characters").
        rewrite: how the QueryRewriter changed the text ({"source", "rewrite_id", "why", "original",
            "rewritten"}), if it did.
        turn_id: the turn's row in the interaction log (None when it was not logged).
        problems: what the actions said went wrong (`Problem.NOT_FOUND`, `NO_SUCH_DEVICE`,
            `UNKNOWN_CITY`, ...), decoded once from the code they tagged their reply with.
        nlu_margin: top-1 minus top-2 intent confidence (None when Rasa was not called).
        forgot: what the user had forgotten this turn, as the action reported it: preference
            keys ("music_genre"), or "*" for everything (then every store forgot them).
        explore_asked: the two readings (intents, best first) this turn asked the user to choose
            between ("Should I A, or B?"); empty when it asked nothing.
        explore_choice: this turn answered such a question: the intent chosen (then run), or
            "neither" / "unclear" (`assistant.exploration.NEITHER`, `UNCLEAR`); None otherwise.
        explore_options: the readings the answered question offered (with ``explore_choice``).
        implicit_used: values an action chose because they were inferred from what the user does
            (play_media's "which you often listen to"), as it tagged its reply; a "no" next turn
            lowers them.
        asked_city: the city the user asked the weather of (named, or chosen when asked which),
            as action_weather tagged its forecast; None when the home city was filled in.
        answered: what an answer was about, as the action tagged it: {"city": the forecast's city
            label}, {"team": ...}, {"cuisine": ...}, {"questions": "asked"} (the guided Q&A began).
        amended_by: the observers that added to or replaced the replies after Rasa answered
            (the teaching offer, the routine offer); the log holds the amended replies.
    """

    text: str
    replies: list[str] = field(default_factory=list)
    report: ActionReport = field(default_factory=ActionReport)
    applied: list[str] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)
    intent: str | None = None
    confidence: float | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    slots: dict[str, Any] = field(default_factory=dict)
    notice: str | None = None
    rewrite: dict[str, Any] | None = None
    turn_id: int | None = None
    nlu_margin: float | None = None
    amended_by: list[str] = field(default_factory=list)

    # The report's, not copies (not dataclass fields: no annotation).
    directives = _FromReport[list[str]]()
    problems = _FromReport[list[Problem]]()
    forgot = _FromReport[list[str]]()
    implicit_used = _FromReport[list[str]]()
    asked_city = _FromReport[str | None]()
    explore_asked = _FromReport[list[str]]()
    explore_choice = _FromReport[str | None]()
    explore_options = _FromReport[list[str]]()
    answered = _FromReport[dict[str, str]]()

    @property
    def reply(self) -> str:
        """All replies joined into one string."""
        return " ".join(self.replies)

    def add_problem(self, code: Any) -> Problem:
        """Record the problem an action tagged its reply with (an unknown code is `Problem.OTHER`)."""
        problem = decode_problem(code)
        self.report.problems.append(problem)
        return problem

    def add_refused(self, directive: Any, reason: Any, message: Any = "") -> Refused:
        """Record a directive the home refused, its reason decoded to a `Problem`."""
        record = Refused.of(directive, reason, message)
        self.refused.append(record)
        return record


FALLBACK_INTENT = "nlu_fallback"  # Rasa's DEFAULT_NLU_FALLBACK_INTENT_NAME


def intent_margin(parse_data: dict[str, Any] | None) -> float | None:
    """Top-1 minus top-2 intent confidence of a Rasa parse (its ``intent_ranking``); the top-1
    confidence when only one intent is ranked; None without a ranking.

    Between the classifier's intents only: Rasa's FallbackClassifier puts ``nlu_fallback`` first
    with its threshold as the "confidence" when the top two are close, and a margin measured
    against that threshold says nothing about the classifier's doubt."""
    ranking = (parse_data or {}).get("intent_ranking") or []
    scores = sorted((float(r["confidence"]) for r in ranking
                     if isinstance(r, dict) and isinstance(r.get("confidence"), (int, float))
                     and r.get("name") != FALLBACK_INTENT), reverse=True)
    if not scores:
        return None
    return round(scores[0] - (scores[1] if len(scores) > 1 else 0.0), 4)


class TurnHandler(Protocol):
    """Anything that plays a turn: the real Runtime, or a fake in a unit test."""

    def handle(self, request: TurnRequest, /) -> TurnResult:
        """Play one user turn and return what happened."""
        ...
