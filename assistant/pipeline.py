"""The turn pipeline: one user turn through Rasa and the home, then logged.

`Runtime` (assistant/runtime.py) owns the stack's lifecycle (action server, model, stores)
and plays turns with these methods: the text is cleaned and the context attached, the Rasa
model answers, the directives the actions ask for are applied to the home, the observers of
the REPLY stage may add to the replies (the teaching and routine offers), the turn goes to the
interaction log as the user heard it, and the observers of the LOGGED stage run (settling the
user's previous turn and its rewrite's win or loss, implicit inference, ...). What the observers
want remembered for the next turn (an offer's open question) goes into Rasa's tracker as slots.
Taught concepts and routines are Rasa's too (domain/habits.yml, the TaughtPhrase component); the
pipeline only adds the NLU-only parses of a teaching's steps to the message metadata.

"Forget everything about me", confirmed, runs the forget handler the runtime was GIVEN by whoever
started it (`assistant.privacy.forget_everywhere` from the launcher, the service, the lab): the
runtime never imports the privacy or model-store code. Without one it says so on the turn and
keeps the request (`unhandled_forgets`); nothing but the preferences the action cleared goes.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, Any, Callable

from assistant.action_server import ActionServerError
from assistant.context import build_context, check_user_id, clean_text
from assistant.habits.observers import ObservedTurn, Stage, TurnObserver, habits_observers, run_observers
from assistant.outcomes import Problem
from assistant.turn import ASKED_CITY_KEY, FORGOT_EVERYTHING, IMPLICIT_KEY, ActionReport, TurnResult

if TYPE_CHECKING:
    from assistant.action_server import ActionServer
    from assistant.home import Home
    from assistant.learning.config import LearningFlags
    from assistant.learning.log import InteractionLog, TurnRecord
    from assistant.learning.rewrites import RewriteStore
    from assistant.paths import DataDir

EMPTY_REPLY = "I didn't hear anything. Say something like \"turn on the lights\", or \"help\"."
# What "forget everything about me" runs after the action cleared the preferences: (the runtime,
# the user id) -> a report (kept as `last_forget`). Given to `Runtime.start(forget=...)`.
ForgetHandler = Callable[[Any, str], Any]
CANNOT_FORGET_REPLY = ("I could only forget your preferences here: this assistant was started without "
                       "a way to delete the rest of what it keeps about you (your conversations, the "
                       "log of your turns, what it learned from you), so that is still kept. Ask "
                       "whoever runs it to delete your data.")
logger = logging.getLogger(__name__)


class TurnPipeline:
    """What `Runtime` does with one turn (a mixin: the runtime holds the state)."""

    home: Home
    data: DataDir
    agent: Any
    action_server: ActionServer
    learning: LearningFlags
    log: InteractionLog | None
    rewrites: RewriteStore | None
    log_errors: list[str]
    forget: ForgetHandler | None       # "forget everything about me" (None: said and kept, see above)
    last_forget: Any
    unhandled_forgets: list[str]
    _last: dict[str, TurnRecord]
    observers: list[TurnObserver]        # after every turn (`default_observers`)

    def handle(
        self,
        text: str,
        *,
        user_id: str,
        device_id: str,
        barge_in: bool = False,
        asr_confidence: float | None = None,
        timestamp: dt.datetime | None = None,
        request_id: str | None = None,
    ) -> TurnResult:
        """Play one user turn through the full stack, and log it.

        ``timestamp`` is when the user spoke (the simulator passes its clock; default now).
        ``request_id``: the client's idempotency key, kept in the log row (a server that replays
        a request another server died on finds the turn it already played).

        Raises:
            UnknownDeviceError: the device is not in the home or cannot hear.
            BadUserIdError: the user id is not acceptable.
            ActionServerError: the action server is down and could not be restarted.
        """
        check_user_id(user_id)
        context = build_context(self.home, device_id)
        cleaned = clean_text(text)
        if not cleaned.text:
            return TurnResult(text="", replies=[EMPTY_REPLY], notice=cleaned.notice)
        from assistant.habits.recognise import METADATA_KEY, step_metadata

        text = cleaned.text
        extra: dict[str, Any] = {}
        # A teaching's steps, parsed by the model's NLU alone, for the teach action's dry run.
        habits = step_metadata(text, self._parse_only)
        if habits is not None:
            extra[METADATA_KEY] = habits
        result = self._play(text, user_id=user_id, device_id=device_id, context=context, barge_in=barge_in,
                            asr_confidence=asr_confidence, timestamp=timestamp, request_id=request_id,
                            observers=self.observers, extra=extra)
        result.notice = result.notice or cleaned.notice
        return result

    def _parse_only(self, text: str) -> dict[str, Any]:
        """The model's NLU on one text (no dialogue, no tracker)."""
        assert self.agent is not None
        return self._run(self.agent.parse_message(text))

    def _play(self, text: str, *, user_id: str, device_id: str, context: dict[str, Any], barge_in: bool,
              asr_confidence: float | None, timestamp: dt.datetime | None, request_id: str | None,
              observers: list[TurnObserver], extra: dict[str, Any] | None = None) -> TurnResult:
        self._ensure_action_server()
        self.reload_if_replaced()
        moment = timestamp or _utc_now()
        metadata: dict[str, Any] = {
            "user_id": user_id,
            # The turn's own time (the home's clock in a simulation): the teachable-moment
            # policy compares these, never Rasa's wall-clock event times.
            "timestamp": _epoch_seconds(moment),
            "device_id": device_id,
            "barge_in": bool(barge_in),
            "asr_confidence": asr_confidence,
            "context": context,
            "learning": {**self.learning.to_metadata(), "store": self.data.learning_url},
            **(extra or {}),
        }
        messages = self._run(self._handle_async(text, self.sender_id(user_id), metadata))
        result = TurnResult(text=text, replies=[m["text"] for m in messages if m.get("text")])
        report = ActionReport.decode(m.get("custom") for m in messages)
        if report.unknown:
            logger.warning("an action sent keys no one reads: %s", ", ".join(sorted(set(report.unknown))))
        report.apply_to(result)
        self._apply_directives(result)
        self._read_tracker(result, self.sender_id(user_id))
        if report.understood_as is not None:   # the steps answering "Can you teach me?"
            result.intent = report.understood_as
        forget_all = FORGOT_EVERYTHING in result.forgot
        if forget_all and self.forget is None:
            self._cannot_forget(result, user_id)
        observed = self.finish_turn(result, user_id=user_id, device_id=device_id, context=context,
                                    barge_in=barge_in, asr_confidence=asr_confidence, timestamp=moment,
                                    request_id=request_id, observers=observers)
        if observed.slots:
            self._set_slots(self.sender_id(user_id), observed.slots)
        if forget_all and self.forget is not None:
            # "Forget everything about me", confirmed: every store forgets them, this turn too.
            self.last_forget = self.forget(self, user_id)
        if not self.action_server.alive():
            raise ActionServerError(
                "the action server stopped during this turn; its reply is missing. "
                f"See {self.action_server.log_path}"
            )
        return result

    def _cannot_forget(self, result: TurnResult, user_id: str) -> None:
        """No forget handler was given: the user hears what was and wasn't deleted (before the
        turn is logged, as they heard it) and the request is kept for whoever runs the stack."""
        logger.warning("%r asked to be forgotten everywhere, but this runtime has no forget handler: "
                       "only the preferences went", user_id)
        self.unhandled_forgets.append(user_id)
        self.log_errors.append(f"{user_id} asked to be forgotten everywhere; no forget handler was given")
        result.replies.append(CANNOT_FORGET_REPLY)

    async def _handle_async(self, text: str, sender: str, metadata: dict[str, Any]) -> list[dict]:
        from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

        assert self.agent is not None
        channel = CollectingOutputChannel()
        await self.agent.handle_message(
            UserMessage(text, output_channel=channel, sender_id=sender, metadata=metadata)
        )
        return list(channel.messages)

    def _set_slots(self, sender: str, values: dict[str, Any]) -> None:
        """Set slots in the conversation's tracker after the turn (an observer's question, such
        as the teaching or routine offer, is the tracker's to remember, like any other)."""
        from rasa.shared.core.events import SlotSet

        async def update() -> None:
            assert self.agent is not None
            async with self.agent.lock_store.lock(sender):
                tracker = await self.agent.tracker_store.retrieve(sender)
                if tracker is None:
                    return
                for name, value in values.items():
                    tracker.update(SlotSet(name, value))
                await self.agent.tracker_store.save(tracker)

        self._run(update())

    def _apply_directives(self, result: TurnResult) -> None:
        from assistant.home import Directive

        for text in result.directives:
            try:
                directive = Directive.parse(text)
            except ValueError as error:
                result.add_refused(text, Problem.INVALID_VALUE, str(error))
                continue
            outcome = self.home.apply(directive)
            if outcome.ok:
                result.applied.append(text)
            else:
                reason = outcome.refusal.name if outcome.refusal else "REFUSED"
                result.add_refused(text, reason, outcome.message)
                result.replies.append(f"I couldn't do that: {outcome.message}")

    def _read_tracker(self, result: TurnResult, sender: str) -> None:
        from assistant.turn import intent_margin

        assert self.agent is not None
        tracker = self._run(self.agent.tracker_store.retrieve(sender))
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

    def finish_turn(self, result: TurnResult, *, user_id: str, device_id: str, context: dict[str, Any],
                    barge_in: bool, asr_confidence: float | None, timestamp: dt.datetime,
                    request_id: str | None = None, observers: list[TurnObserver] | None = None) -> ObservedTurn:
        """The REPLY-stage observers (they may add to the replies), the log (what the user
        heard), then the LOGGED-stage observers; the turn as they saw it (``slots``: what they
        want set in the tracker)."""
        chosen = self.observers if observers is None else observers
        turn = ObservedTurn(result=result, user_id=user_id, device_id=device_id, when=_naive(timestamp),
                            barge_in=bool(barge_in), context=context)
        run_observers(chosen, Stage.REPLY, self, turn)
        self._log_turn(turn, context=context, asr_confidence=asr_confidence, request_id=request_id)
        run_observers(chosen, Stage.LOGGED, self, turn)
        return turn

    def _log_turn(self, turn: ObservedTurn, *, context: dict[str, Any], asr_confidence: float | None,
                  request_id: str | None = None) -> None:
        """Log the turn (``turn.record``; ``turn.previous``: the user's turn before it). A failed
        write never breaks the turn; it is reported on the result and kept in `log_errors`."""
        from assistant.learning.log import InteractionLogError, TurnRecord

        if self.log is None:
            return
        result, user_id, device_id = turn.result, turn.user_id, turn.device_id
        barge_in, timestamp = turn.barge_in, turn.when
        rewrite = result.rewrite or {}
        record = TurnRecord(
            user_id=user_id, device_id=device_id, session_id=self.sender_id(user_id),
            timestamp=_naive(timestamp), text=result.text,
            text_rewritten=rewrite.get("rewritten") if rewrite else None,
            rewrite_source=rewrite.get("source"), rewrite_id=rewrite.get("rewrite_id"),
            intent=result.intent, confidence=result.confidence,
            entities=[{k: e.get(k) for k in ("entity", "value", "start", "end")} for e in result.entities],
            actions=list(result.actions), reply=result.reply, directives=list(result.directives),
            refused=[list(r) for r in result.refused], problems=list(result.problems),
            context=_context_snapshot(context),
            asr_confidence=asr_confidence, barge_in=bool(barge_in), nlu_margin=result.nlu_margin,
            request_id=request_id, explore_asked=list(result.explore_asked),
            explore_choice=result.explore_choice,
            evidence={IMPLICIT_KEY: list(result.implicit_used), ASKED_CITY_KEY: result.asked_city},
        )
        try:
            turn.previous = self._last.get(user_id)
            result.turn_id = self.log.record(record)
            turn.record = record
            self._last[user_id] = record
        except Exception as error:  # noqa: BLE001 - reported, never breaks the turn
            message = f"this turn was not logged: {error}"
            if not isinstance(error, InteractionLogError):
                message = f"this turn was not logged ({type(error).__name__}): {error}"
            logger.error(message)
            self.log_errors.append(message)
            result.notice = f"{result.notice} {message}".strip() if result.notice else message

    def _settle(self, previous: "TurnRecord", current: "TurnRecord | None", *, gave_up: bool = False) -> None:
        settle(self, previous, current, gave_up=gave_up)

    def end_session(self, user_id: str, *, gave_up: bool = False) -> None:
        """The user is done for now: settle their last turn (``gave_up``: they abandoned
        their goal) and start a fresh conversation next time."""
        previous = self._last.pop(user_id, None)
        if previous is not None and previous.id is not None:
            try:
                self._settle(previous, None, gave_up=gave_up)
            except Exception as error:  # noqa: BLE001
                logger.error("could not settle the last turn of %s: %s", user_id, error)
                self.log_errors.append(str(error))
        self.reset_user(user_id)


def settle(services: Any, previous: "TurnRecord", current: "TurnRecord | None", *, gave_up: bool = False) -> None:
    """Write the signals that followed ``previous``; count its rewrite's win or loss."""
    from assistant.learning.feedback import follow_up, minilm_similarity
    from assistant.learning.log import Feedback
    from assistant.learning.outcome import succeeded

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


class SettleFeedback:
    """The signals this turn gives about the user's previous one in the same conversation
    (repeat, rephrase, complaint, ...), and that turn's rewrite's win or loss."""

    stage = Stage.LOGGED

    def observe(self, services: Any, turn: ObservedTurn) -> None:
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


def _context_snapshot(context: dict[str, Any]) -> dict[str, Any]:
    """What the log keeps of the ambient context: the speaking device, room, time and the
    state of every device (not the home's rules and layout)."""
    snapshot = {k: v for k, v in context.items() if k != "home"}
    devices = (context.get("home") or {}).get("devices") or {}
    if isinstance(devices, dict):
        snapshot["device_states"] = {k: (v.get("state") if isinstance(v, dict) else v) for k, v in devices.items()}
    elif isinstance(devices, list):
        snapshot["device_states"] = {d.get("id"): d.get("state") for d in devices if isinstance(d, dict)}
    return snapshot
