"""One turn for one household, played in the runtime's worker thread.

The home is read from the service database, handed to the runtime (`replace_home`), the turn
runs through our pipeline (`Runtime.handle`: context, rewriting, directives, log, learning),
and the changed device states are written back with a version check. When another writer won
meanwhile, the turn's applied directives are re-applied to the fresh home, never overwritten.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from assistant.service import ids
from assistant.service.homes import (
    HomeStore,
    VersionConflict,
    changed_states,
    local_now,
    state_events,
    states,
)
from assistant.service.idempotency import IdempotencyStore
from assistant.turn import TurnRequest

if TYPE_CHECKING:
    from assistant.home import Home
    from assistant.runtime import Runtime
    from assistant.turn import TurnResult


@dataclass(frozen=True)
class HouseholdRequest:
    """A turn as a client asked for it (already validated and bound to the token's home); played
    as the runtime's `TurnRequest` of the household's internal user."""

    home: str
    text: str
    device_id: str
    user_id: str | None = None
    conversation_id: str | None = None
    barge_in: bool = False
    asr_confidence: float | None = None
    idempotency_key: str | None = None
    claim_owner: str | None = None


def catch_up(home: "Home", now: dt.datetime) -> list[dict[str, Any]]:
    """Move the home's clock to ``now`` (alarms and timers fire); the events, JSON-safe. A gap
    of more than a day (a server that was down) is jumped, not simulated."""
    gap = (now - home.clock.now).total_seconds()
    if gap <= 0:
        return []
    if gap > 86400:
        home.clock.now = now - dt.timedelta(days=1)
        gap = 86400
    return [event.to_dict() for event in home.advance(gap / 60)]


def speaker_of(home: "Home", request: HouseholdRequest) -> str:
    """Who speaks: the request's user, else the device's (or the home's) default user, else guest."""
    return request.user_id or home.default_user_of(request.device_id) or ids.GUEST


class TurnService:
    """Plays household turns on one Runtime. Not thread-safe: call from the worker thread only."""

    def __init__(self, runtime: "Runtime", homes: HomeStore, keys: IdempotencyStore,
                 now: Callable[[], dt.datetime] = local_now) -> None:
        self.runtime = runtime
        self.homes = homes
        self.keys = keys
        self._now = now

    def use_home(self, name: str) -> tuple["Home", int, list[dict[str, Any]]]:
        """Load a home, catch its clock up, and hand it to the runtime: (home, version, events)."""
        home, version = self.homes.load(name)
        fired = catch_up(home, self._now())
        self.runtime.replace_home(home)
        return home, version, fired

    def play(self, request: HouseholdRequest) -> dict[str, Any]:
        """Play the turn and store its effects; the answer. Raises UnknownHomeError,
        UnknownDeviceError, BadIdError, ServiceStoreError, ActionServerError."""
        home, version, fired = self.use_home(request.home)
        user = speaker_of(home, request)
        conversation = request.conversation_id or ids.DEFAULT_CONVERSATION
        internal = ids.internal_user(request.home, user)
        self._use_conversation(internal, ids.sender_id(request.home, user, conversation))
        request_id = f"{request.home}:{request.idempotency_key}" if request.idempotency_key else None
        played = self._already_played(request_id)
        if played is not None:
            # A server died after playing this request but before storing its effects: answer
            # from its logged turn and apply its directives now, never play it through Rasa twice.
            answer = _logged_answer(played, conversation, user)
            self._reapply(request, answer.pop("_applied"), answer)
            return answer
        before = states(home)
        result = self.runtime.handle(TurnRequest(request.text, user_id=internal, device_id=request.device_id,
                                                 barge_in=request.barge_in, asr_confidence=request.asr_confidence,
                                                 request_id=request_id))
        answer = _answer(result, conversation, user)
        changed = changed_states(before, home)
        answer["changed"] = changed
        events = fired + state_events(changed, "turn", home.clock.now)
        try:
            self.homes.save(request.home, home, version, events=events,
                            also=lambda conn: self._complete(conn, request, answer))
        except VersionConflict:
            self._reapply(request, result.applied, answer)
        return answer

    def _reapply(self, request: HouseholdRequest, applied: list[str], answer: dict[str, Any]) -> None:
        """Another writer changed the home during the turn: apply the turn's directives again
        to the fresh home (what was refused now is reported as refused)."""
        from assistant.home import Directive

        def change(home: "Home") -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]], list[str],
                                          list[dict[str, Any]]]:
            fired = catch_up(home, self._now())
            before = states(home)
            done, refused = [], []
            for text in applied:
                outcome = home.apply(Directive.parse(text))
                if outcome.ok:
                    done.append(text)
                else:
                    refused.append({"directive": text, "reason": outcome.refusal.name if outcome.refusal
                                    else "REFUSED", "message": outcome.message})
            return fired, changed_states(before, home), done, refused

        def also(conn: Any, outcome: Any) -> None:
            _, changed, done, refused = outcome
            answer.update(changed=changed, directives=done, refused=answer["refused"] + refused,
                          replies=answer["replies"] + [f"I couldn't do that: {r['message']}" for r in refused])
            self._complete(conn, request, answer)

        self.homes.update(request.home, change,
                          events=lambda home, o: o[0] + state_events(o[1], "turn", home.clock.now), also=also)

    def _complete(self, conn: Any, request: HouseholdRequest, answer: dict[str, Any]) -> None:
        if request.idempotency_key and request.claim_owner:
            self.keys.complete(conn, request.home, request.idempotency_key, request.claim_owner, answer)

    def _use_conversation(self, internal: str, sender: str) -> None:
        self.runtime.use_conversation(internal, sender)

    def _already_played(self, request_id: str | None) -> Any:
        log = getattr(self.runtime, "log", None)
        if request_id is None or log is None:
            return None
        return log.find_request(request_id)


def _logged_answer(turn: Any, conversation: str, user: str) -> dict[str, Any]:
    """The answer of a turn another server played and logged (its applied directives under
    ``_applied``, to apply to the home again)."""
    refused = {r[0] for r in turn.refused if r}
    return {
        "conversation_id": conversation, "user_id": user,
        "replies": [turn.reply] if turn.reply else [],
        "directives": [], "refused": [], "changed": {}, "turn_id": turn.id,
        "intent": turn.intent, "confidence": turn.confidence,
        "_applied": [d for d in turn.directives if d not in refused],
    }

def _answer(result: "TurnResult", conversation: str, user: str) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "conversation_id": conversation,
        "user_id": user,
        "replies": list(result.replies),
        "directives": list(result.applied),
        "refused": [{"directive": d, "reason": r, "message": m} for d, r, m in result.refused],
        "changed": {},
        "turn_id": result.turn_id,
        "intent": result.intent,
        "confidence": result.confidence,
    }
    if result.notice:
        answer["notice"] = result.notice
    return answer
