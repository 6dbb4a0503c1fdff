"""The Rasa input channel: its blueprint holds the service's endpoints.

Rasa's own server (Sanic) serves it. The blueprint feeds OUR turn pipeline
(`TurnService.play` in the runtime's worker thread), never Rasa's `on_new_message`: calling
the Agent directly would skip the context, rewriting, directives, log and learning.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Coroutine

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from assistant.service import conversation, health, ids, openapi, parsing, userdata
from assistant.service.errors import HttpError, http_error
from assistant.service.homes import changed_states, state_events, states
from assistant.service.idempotency import ClaimState, LostClaimError
from assistant.service.tokens import bearer
from assistant.service.turns import HouseholdRequest, catch_up

if TYPE_CHECKING:
    from assistant.service.state import ServiceState

logger = logging.getLogger(__name__)
Handler = Callable[..., Coroutine[Any, Any, HTTPResponse]]
EVENT_POLL_SECONDS = 0.25
SSE_HEARTBEAT_SECONDS = 15.0


class HomeChannel(InputChannel):  # type: ignore[misc]  # Rasa has no type information
    """The households' channel: turns, the home, user data, events, health."""

    def __init__(self, state: "ServiceState") -> None:
        self.state = state

    @classmethod
    def name(cls) -> str:
        return "assistant"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("assistant_service")
        routes = Routes(self.state)
        bp.add_route(_guarded(routes.health), "/health", methods=["GET"])
        bp.add_route(_guarded(routes.openapi), "/openapi.json", methods=["GET"])
        bp.add_route(_guarded(routes.turn), "/api/turn", methods=["POST"])
        bp.add_route(_guarded(routes.ha_process), "/api/conversation/process", methods=["POST"])
        bp.add_route(_guarded(routes.get_home), "/api/home", methods=["GET"])
        bp.add_route(_guarded(routes.set_state), "/api/home/devices/<device_id>/state", methods=["POST"])
        bp.add_route(_guarded(routes.user_data), "/api/users/<user_id>/data", methods=["GET", "DELETE"])
        bp.add_route(_guarded(routes.events), "/api/events", methods=["GET"])
        return bp


def _guarded(handler: Handler) -> Handler:
    """Errors become JSON answers with the right status (HttpError, 404, 422, 503...)."""

    async def guarded(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
        try:
            return await handler(request, *args, **kwargs)
        except Exception as error:  # noqa: BLE001 - every failure is an HTTP answer
            failure = http_error(error)
            headers = {"WWW-Authenticate": "Bearer"} if failure.status == 401 else None
            return response.json(failure.body(), status=failure.status, headers=headers)

    guarded.__name__ = handler.__name__
    return guarded


class Routes:
    """The endpoint handlers; every /api/ one needs a household token."""

    def __init__(self, state: "ServiceState") -> None:
        self.state = state

    async def _home(self, request: Request) -> str:
        """The home the bearer token belongs to, or 401 (before anything is read or logged)."""
        token = bearer(request.headers.get("authorization"))
        home = await self.state.in_pool(self.state.tokens.authenticate, token) if token else None
        if home is None:
            raise HttpError(401, "a valid household token is required: Authorization: Bearer TOKEN")
        return home

    # -- open endpoints -----------------------------------------------------------------

    async def health(self, request: Request) -> HTTPResponse:
        status, body = await self.state.in_pool(health.check, self.state)
        return response.json(body, status=status)

    async def openapi(self, request: Request) -> HTTPResponse:
        return response.json(openapi.spec())

    # -- turns --------------------------------------------------------------------------

    async def turn(self, request: Request) -> HTTPResponse:
        home = await self._home(request)
        body = parsing.json_body(request)
        turn = parsing.turn_request(home, body, request.headers.get(parsing.IDEMPOTENCY_HEADER))
        answer, replayed = await self.play(turn)
        return response.json(answer, headers={"Idempotent-Replayed": "true"} if replayed else None)

    async def ha_process(self, request: Request) -> HTTPResponse:
        home = await self._home(request)
        body = parsing.json_body(request)
        device = body.get("device_id") or await self.state.in_pool(conversation.default_device, self.state.homes,
                                                                   home)
        turn = parsing.turn_request(home, {**body, "device_id": device},
                                    request.headers.get(parsing.IDEMPOTENCY_HEADER))
        answer, replayed = await self.play(turn)
        language = body.get("language")
        language = language if isinstance(language, str) and language else "en"
        return response.json(conversation.ha_answer(answer, language),
                             headers={"Idempotent-Replayed": "true"} if replayed else None)

    async def play(self, turn: HouseholdRequest) -> tuple[dict[str, Any], bool]:
        """Play a turn (once per idempotency key): (answer, whether it is a stored one)."""
        state = self.state
        if state.turns is None:
            raise HttpError(503, "the assistant is still starting", retry=True)
        owner = None
        if turn.idempotency_key:
            timeout = state.keys.lease.total_seconds() + 5
            claim = await state.in_pool(state.keys.wait, turn.home, turn.idempotency_key, timeout)
            if claim.state is ClaimState.DONE:
                return claim.answer or {}, True
            if claim.state is ClaimState.BUSY:
                raise HttpError(409, "this idempotency key's turn is still running; retry later", retry=True)
            owner = claim.owner
            turn = HouseholdRequest(**{**turn.__dict__, "claim_owner": owner})
        try:
            return await state.in_worker(state.turns.play, turn), False
        except LostClaimError:
            stored = await state.in_pool(state.keys.answer, turn.home, turn.idempotency_key)
            if stored is None:
                raise HttpError(409, "this idempotency key's turn is still running; retry later",
                                retry=True) from None
            return stored, True
        except Exception:
            # The turn failed in the worker: free the key for a retry. (A cancelled request is
            # not released: its turn is still running in the worker and will store its answer.)
            if owner is not None and turn.idempotency_key:
                try:
                    await state.in_pool(state.keys.release, turn.home, turn.idempotency_key, owner)
                except Exception:  # noqa: BLE001 - the claim's lease ends by itself
                    logger.warning("could not release idempotency key %s", turn.idempotency_key)
            raise

    # -- the home -----------------------------------------------------------------------

    async def get_home(self, request: Request) -> HTTPResponse:
        home_name = await self._home(request)

        def read() -> dict[str, Any]:
            home, version = self.state.homes.load(home_name)
            catch_up(home, self.state.homes.now())   # shown as of now; the ticker stores it
            snapshot = home.snapshot()
            return {"name": home_name, "version": version, "now": snapshot["now"], "rooms": snapshot["rooms"],
                    "default_user": home.default_user, "devices": snapshot["devices"],
                    "events": snapshot["events"][-10:]}

        return response.json(await self.state.in_pool(read))

    async def set_state(self, request: Request, device_id: str) -> HTTPResponse:
        home_name = await self._home(request)
        body = parsing.json_body(request)
        values = body.get("state")
        if not isinstance(values, dict) or not values:
            raise HttpError(422, "'state' is required: an object of state keys, like {\"power\": \"on\"}")
        homes = self.state.homes

        def change(home: Any) -> tuple[list[dict[str, Any]], Any, dict[str, Any]]:
            fired = catch_up(home, homes.now())
            before = states(home)
            outcome = home.set_state(device_id, values)
            if not outcome.ok:
                status = 404 if outcome.refusal is not None and outcome.refusal.name == "NO_SUCH_DEVICE" else 422
                raise HttpError(status, outcome.message, reason=outcome.refusal.name if outcome.refusal else None)
            return fired, outcome, changed_states(before, home)

        def write() -> dict[str, Any]:
            (_, outcome, changed), home, version = homes.update(
                home_name, change, events=lambda h, o: o[0] + state_events(o[2], "manual", h.clock.now))
            return {"device_id": device_id, "state": home.devices[device_id].state, "changed": changed,
                    "message": outcome.message, "version": version}

        return response.json(await self.state.in_pool(write))

    # -- users --------------------------------------------------------------------------

    async def user_data(self, request: Request, user_id: str) -> HTTPResponse:
        home = await self._home(request)
        ids.check_client_id(user_id, "user id")
        runtime = self.state.runtime
        if runtime is None:
            raise HttpError(503, "the assistant is still starting", retry=True)
        if request.method == "DELETE":
            removed = await self.state.in_worker(userdata.delete_user, runtime, home, user_id)
            return response.json({"user_id": user_id, "deleted": removed})
        return response.json(await self.state.in_worker(userdata.read_user, runtime, home, user_id))

    # -- events -------------------------------------------------------------------------

    async def events(self, request: Request) -> HTTPResponse:
        home = await self._home(request)
        after = parsing.after_id(request)
        if after is None:
            after = await self.state.in_pool(self.state.homes.last_event_id, home)
        stream = "text/event-stream" in (request.headers.get("accept") or "") or request.args.get("stream") == "1"
        if stream:
            seconds = parsing.wait_seconds(request, "timeout", 3600.0) or 3600.0
            await self._stream(request, home, after, seconds)
            return None  # type: ignore[return-value]  # Sanic has sent the stream
        wait = parsing.wait_seconds(request)
        deadline = time.monotonic() + wait
        while True:
            found = await self.state.in_pool(self.state.homes.events_since, home, after)
            if found or time.monotonic() >= deadline:
                break
            await asyncio.sleep(EVENT_POLL_SECONDS)
        last = found[-1][0] if found else after
        return response.json({"events": [{"id": i, **e} for i, e in found], "last_id": last})

    async def _stream(self, request: Request, home: str, after: int, seconds: float) -> None:
        """Server-sent events for ``seconds`` (then the client reconnects with Last-Event-ID).
        Returns None: Sanic has sent the response already."""
        out = await request.respond(content_type="text/event-stream",
                                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
        deadline = time.monotonic() + seconds
        beat = time.monotonic()
        try:
            await out.send(": connected\n\n")
            while time.monotonic() < deadline:
                found = await self.state.in_pool(self.state.homes.events_since, home, after)
                for event_id, event in found:
                    await out.send(f"id: {event_id}\nevent: {event['kind']}\ndata: {json.dumps(event)}\n\n")
                    after = event_id
                if time.monotonic() - beat > SSE_HEARTBEAT_SECONDS:
                    await out.send(": keep-alive\n\n")
                    beat = time.monotonic()
                await asyncio.sleep(EVENT_POLL_SECONDS)
            await out.eof()
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - the client went away, or a store did
            logger.info("event stream of %s ended: %s", home, error)
