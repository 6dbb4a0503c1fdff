"""The turn pipeline: one user turn through Rasa and the home, then logged.

`Runtime` (assistant/runtime.py) owns the stack's lifecycle (action server, model, stores) and
holds a `TurnPipeline`, which plays each `TurnRequest` on it (`TurnStack`: what the pipeline
uses of the runtime): the text is cleaned and the context attached, the Rasa model answers, the directives the actions ask for are applied to the home, the observers of
the REPLY stage may add to the replies (the teaching and routine offers), the turn goes to the
interaction log as the user heard it, and the observers of the LOGGED stage run (settling the
user's previous turn and its rewrite's win or loss, implicit inference, ...). What the observers
want remembered for the next turn (an offer's open question) goes into Rasa's tracker as slots.
Taught concepts and routines are Rasa's too (domain/habits.yml, the TaughtPhrase component); the
pipeline only adds the NLU-only parses of a teaching's steps to the message metadata.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, Any, Callable, Protocol

from assistant.action_server import ActionServerError
from assistant.context import build_context, check_user_id, clean_text
from assistant.habits.observers import (
    ObservedTurn,
    Stage,
    TurnObserver,
    TurnServices,
    habits_observers,
    run_observers,
)
from assistant.outcomes import Problem
from assistant.turn import FORGOT_EVERYTHING, ActionReport, TurnRequest, TurnResult

if TYPE_CHECKING:
    from assistant.action_server import ActionServer
    from assistant.learning.log import TurnRecord

EMPTY_REPLY = "I didn't hear anything. Say something like \"turn on the lights\", or \"help\"."
# What "forget everything about me" runs after the action cleared the preferences: (the runtime,
# the user id) -> a report (kept as `last_forget`). Given to `Runtime.start(forget=...)`.
ForgetHandler = Callable[[Any, str], Any]
CANNOT_FORGET_REPLY = ("I could only forget your preferences here: this assistant was started without "
                       "a way to delete the rest of what it keeps about you (your conversations, the "
                       "log of your turns, what it learned from you), so that is still kept. Ask "
                       "whoever runs it to delete your data.")
logger = logging.getLogger(__name__)


class TurnStack(TurnServices, Protocol):
    """What the pipeline uses of the stack it plays turns on (the `Runtime`; a fake in a test):
    the services the observers use, the action server, and the Rasa model behind its event loop."""

    @property
    def action_server(self) -> ActionServer: ...

    @property
    def log_errors(self) -> list[str]:
        """Where failures that never break a turn are kept (a log write, a settle)."""
        ...

    last_forget: Any   # the forget handler's last report (forget_everywhere's: its retrain thread)

    @property
    def forget(self) -> ForgetHandler | None:
        """What "forget everything about me" runs (given by whoever started the stack), or None."""
        ...

    @property
    def unhandled_forgets(self) -> list[str]:
        """Users who asked to be forgotten everywhere when no handler was given."""
        ...

    def ready(self) -> None:
        """Before a turn: the action server up (restarted if it died), a replaced model loaded.

        Raises:
            ActionServerError: the action server is down and could not be restarted.
        """
        ...

    def parse(self, text: str) -> dict[str, Any]:
        """The model's NLU on one text (no dialogue, no tracker)."""
        ...

    def send(self, text: str, sender: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        """Rasa's turn on one message in the conversation ``sender``: the bot's messages."""
        ...

    def tracker(self, sender: str) -> Any:
        """The conversation's Rasa tracker after the turn (None when there is none)."""
        ...

    def set_slots(self, sender: str, values: dict[str, Any]) -> None:
        """Set slots in the conversation's tracker after the turn."""
        ...

    def reset_user(self, user_id: str) -> None:
        """Start a fresh conversation for this user."""
        ...


class TurnPipeline:
    """Plays turns on a `TurnStack` (the runtime that holds it) and remembers each user's last
    logged turn (``last``: the next turn, or the end of the session, settles it)."""

    def __init__(self, stack: TurnStack, observers: list[TurnObserver] | None = None) -> None:
        self.stack = stack
        # What runs after each turn (the habits layer's offers and inference among them).
        self.observers: list[TurnObserver] = default_observers() if observers is None else observers
        self.last: dict[str, TurnRecord] = {}

    def handle(self, request: TurnRequest) -> TurnResult:
        """Play one user turn through the full stack, and log it.

        Raises:
            UnknownDeviceError: the device is not in the home or cannot hear.
            BadUserIdError: the user id is not acceptable.
            ActionServerError: the action server is down and could not be restarted.
        """
        check_user_id(request.user_id)
        context = build_context(self.stack.home, request.device_id)
        cleaned = clean_text(request.text)
        if not cleaned.text:
            return TurnResult(text="", replies=[EMPTY_REPLY], notice=cleaned.notice)
        from assistant.habits.recognise import METADATA_KEY, step_metadata

        text = cleaned.text
        extra: dict[str, Any] = {}
        # A teaching's steps, parsed by the model's NLU alone, for the teach action's dry run.
        habits = step_metadata(text, self.stack.parse)
        if habits is not None:
            extra[METADATA_KEY] = habits
        result = self._play(text, request, context=context, extra=extra)
        result.notice = result.notice or cleaned.notice
        return result

    def _play(self, text: str, request: TurnRequest, *, context: dict[str, Any],
              extra: dict[str, Any] | None = None) -> TurnResult:
        stack = self.stack
        stack.ready()
        user_id = request.user_id
        moment = request.timestamp or _utc_now()
        metadata: dict[str, Any] = {
            "user_id": user_id,
            # The turn's own time (the home's clock in a simulation): the teachable-moment
            # policy compares these, never Rasa's wall-clock event times.
            "timestamp": _epoch_seconds(moment),
            "device_id": request.device_id,
            "barge_in": bool(request.barge_in),
            "asr_confidence": request.asr_confidence,
            "context": context,
            "learning": {**stack.learning.to_metadata(), "store": stack.data.learning_url},
            **(extra or {}),
        }
        messages = stack.send(text, stack.sender_id(user_id), metadata)
        report = ActionReport.decode(m.get("custom") for m in messages)
        if report.unknown:
            logger.warning("an action sent keys no one reads: %s", ", ".join(sorted(set(report.unknown))))
        result = TurnResult(text=text, replies=[m["text"] for m in messages if m.get("text")], report=report)
        self._apply_directives(result)
        self._read_tracker(result, stack.sender_id(user_id))
        if report.understood_as is not None:   # the steps answering "Can you teach me?"
            result.intent = report.understood_as
        forget_all = FORGOT_EVERYTHING in result.forgot
        if forget_all and stack.forget is None:
            self._cannot_forget(result, user_id)
        observed = self.finish_turn(result, request, context=context, timestamp=moment)
        if observed.slots:
            stack.set_slots(stack.sender_id(user_id), observed.slots)
        if forget_all and stack.forget is not None:
            # "Forget everything about me", confirmed: every store forgets them, this turn too.
            stack.last_forget = stack.forget(stack, user_id)
        if not stack.action_server.alive():
            raise ActionServerError(
                "the action server stopped during this turn; its reply is missing. "
                f"See {stack.action_server.log_path}"
            )
        return result

    def _apply_directives(self, result: TurnResult) -> None:
        from assistant.home import Directive

        for text in result.directives:
            try:
                directive = Directive.parse(text)
            except ValueError as error:
                result.add_refused(text, Problem.INVALID_VALUE, str(error))
                continue
            outcome = self.stack.home.apply(directive)
            if outcome.ok:
                result.applied.append(text)
            else:
                reason = outcome.refusal.name if outcome.refusal else "REFUSED"
                result.add_refused(text, reason, outcome.message)
                result.replies.append(f"I couldn't do that: {outcome.message}")

    def _read_tracker(self, result: TurnResult, sender: str) -> None:
        from assistant.turn import intent_margin

        tracker = self.stack.tracker(sender)
        if tracker is None:
            return
        latest = tracker.latest_message
        if latest is not None:
            intent = latest.intent or {}
            result.intent = intent.get("name")
            result.confidence = intent.get("confidence")
            result.entities = list(latest.entities or [])
            parse = latest.parse_data or {}
            result.nlu_margin = intent_margin(parse)
            if parse.get("rewrite"):
                result.rewrite = {**parse["rewrite"], "original": parse.get("text_original"),
                                  "rewritten": parse.get("text")}
        actions: list[str] = []
        for event in reversed(tracker.events):
            if event.type_name == "user":
                break
            name = getattr(event, "action_name", None)
            if event.type_name == "action" and name and name != "action_listen":
                actions.append(name)
        result.actions = list(reversed(actions))
        result.slots = dict(tracker.current_slot_values())

    # -- after the turn: observers and the interaction log ------------------------------

    def _cannot_forget(self, result: TurnResult, user_id: str) -> None:
        """No forget handler was given: the user hears what was and wasn't deleted (before the
        turn is logged, as they heard it) and the request is kept for whoever runs the stack."""
        logger.warning("%r asked to be forgotten everywhere, but this runtime has no forget handler: "
                       "only the preferences went", user_id)
        self.stack.unhandled_forgets.append(user_id)
        self.stack.log_errors.append(f"{user_id} asked to be forgotten everywhere; no forget handler was given")
        result.replies.append(CANNOT_FORGET_REPLY)

    def finish_turn(self, result: TurnResult, request: TurnRequest, *, context: dict[str, Any],
                    timestamp: dt.datetime, observers: list[TurnObserver] | None = None) -> ObservedTurn:
        """The REPLY-stage observers (they may add to the replies), the log (what the user
        heard), then the LOGGED-stage observers; the turn as they saw it (``slots``: what they
        want set in the tracker)."""
        chosen = self.observers if observers is None else observers
        turn = ObservedTurn(result=result, user_id=request.user_id, device_id=request.device_id,
                            when=_naive(timestamp), barge_in=bool(request.barge_in), context=context)
        run_observers(chosen, Stage.REPLY, self.stack, turn)
        self._log_turn(turn, request, context=context)
        run_observers(chosen, Stage.LOGGED, self.stack, turn)
        return turn

    def _log_turn(self, turn: ObservedTurn, request: TurnRequest, *, context: dict[str, Any]) -> None:
        """Log the turn (``turn.record``; ``turn.previous``: the user's turn before it). A failed
        write never breaks the turn; it is reported on the result and kept in `log_errors`."""
        from assistant.habits.implicit import keep_evidence
        from assistant.learning.log import InteractionLogError, TurnRecord
        from assistant.repair.settle import keep_in_log

        log = self.stack.log
        if log is None:
            return
        result, user_id = turn.result, turn.user_id
        record = TurnRecord.from_result(result, request, session_id=self.stack.sender_id(user_id),
                                        timestamp=turn.when, context=context)
        keep_in_log(record, result.report)   # the entity repairs the actions tagged (assistant.repair)
        keep_evidence(record, result.report)  # what the answer was about, and rested on (assistant.habits)
        try:
            turn.previous = self.last.get(user_id)
            result.turn_id = log.record(record)
            turn.record = record
            self.last[user_id] = record
        except Exception as error:  # noqa: BLE001 - reported, never breaks the turn
            message = f"this turn was not logged: {error}"
            if not isinstance(error, InteractionLogError):
                message = f"this turn was not logged ({type(error).__name__}): {error}"
            logger.error(message)
            self.stack.log_errors.append(message)
            result.notice = f"{result.notice} {message}".strip() if result.notice else message

    def end_session(self, user_id: str, *, gave_up: bool = False) -> None:
        """The user is done for now: settle their last turn (``gave_up``: they abandoned
        their goal) and start a fresh conversation next time."""
        previous = self.last.pop(user_id, None)
        if previous is not None and previous.id is not None:
            try:
                settle(self.stack, previous, None, gave_up=gave_up)
            except Exception as error:  # noqa: BLE001
                logger.error("could not settle the last turn of %s: %s", user_id, error)
                self.stack.log_errors.append(str(error))
        self.stack.reset_user(user_id)


def settle(services: TurnServices, previous: "TurnRecord", current: "TurnRecord | None", *, gave_up: bool = False) -> None:
    """Write the signals that followed ``previous``; count its rewrite's and its entity repairs'
    win or loss."""
    from assistant.learning.feedback import follow_up, minilm_similarity
    from assistant.learning.log import Feedback
    from assistant.learning.outcome import succeeded
    from assistant.repair.settle import count_outcome

    assert services.log is not None and previous.id is not None
    signals = follow_up(previous, current, minilm_similarity) if current is not None else {}
    if gave_up:
        signals[Feedback.GIVE_UP] = True
    if signals:
        services.log.add_feedback(previous.id, **signals)
        previous.feedback.update(signals)
    if previous.rewrite_id is not None and services.rewrites is not None \
            and previous.rewrite_source != "personal_correction":
        services.rewrites.record_outcome(previous.rewrite_id, succeeded(previous))
    count_outcome(previous, succeeded(previous), lambda: services.data.learning_url)


class SettleFeedback:
    """The signals this turn gives about the user's previous one in the same conversation
    (repeat, rephrase, complaint, ...), and that turn's rewrite's win or loss."""

    stage = Stage.LOGGED

    def observe(self, services: TurnServices, turn: ObservedTurn) -> None:
        previous, current = turn.previous, turn.record
        if previous is None or current is None or previous.session_id != current.session_id:
            return
        settle(services, previous, current)


def default_observers() -> list[TurnObserver]:
    """What runs after a plain turn: settling the previous turn first (inference reads its
    feedback), then the habits layer's observers."""
    return [SettleFeedback(), *habits_observers()]


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def _epoch_seconds(moment: dt.datetime) -> float:
    """Seconds since the epoch; a naive time is read as UTC (as the log stores it)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.timezone.utc)
    return aware.timestamp()


def _naive(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is None else moment.astimezone(dt.timezone.utc).replace(tzinfo=None)
