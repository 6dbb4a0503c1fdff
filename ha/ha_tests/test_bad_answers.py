"""Bad answers from the service (one unit: our agent, against a stand-in HTTP server that answers
badly on purpose): each gives a short spoken apology and a clear error in Home Assistant's log,
within the timeout."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, AsyncIterator

import pytest
from aiohttp import web
from homeassistant.components import conversation
from homeassistant.core import Context, HomeAssistant
from homeassistant.setup import async_setup_component

from custom_components.smarthome_assistant.const import (
    CONF_TIMEOUT,
    MAX_ANSWER_BYTES,
    SPEECH_BROKEN,
    SPEECH_TIMEOUT,
)

from .home import add_entry, agent_id

pytestmark = pytest.mark.usefixtures("socket_enabled")
HOME = {"name": "north", "devices": [{"id": "kitchen_light", "name": "kitchen light", "kind": "light",
                                      "room": "kitchen", "capabilities": ["power"], "state": {"power": "off"}}]}
GOOD = {"response": {"speech": {"plain": {"speech": "Done."}}, "response_type": "action_done"},
        "conversation_id": "c1", "assistant": {"changed": {}}}


async def _megabyte_streamed(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse()
    await response.prepare(request)
    for _ in range(16):
        await response.write(b"x" * 65536)
    return response


async def _slow(request: web.Request) -> web.Response:
    await asyncio.sleep(1.5)   # three times the agent's timeout in these tests (0.5 s)
    return web.json_response(GOOD)


ANSWERS: dict[str, Any] = {
    "not_json": lambda r: web.Response(text="<html>proxy error</html>", content_type="text/html"),
    "malformed": lambda r: web.json_response({"response": {"speech": 3}}),
    "a_list": lambda r: web.json_response([1, 2, 3]),
    "bad_changed": lambda r: web.json_response({**GOOD, "assistant": {"changed": {"kitchen_light": "on"}}}),
    "megabyte": lambda r: web.json_response({**GOOD, "pad": "x" * 1_048_576}),
    "megabyte_streamed": _megabyte_streamed,
    "server_error": lambda r: web.json_response({"error": "boom", "status": 500}, status=500),
    "slow": _slow,
    "good": lambda r: web.json_response(GOOD),
    "query": lambda r: web.json_response({**GOOD, "response": {"speech": {"plain": {"speech": "It is 21 degrees."}},
                                                               "response_type": "query_answer"}}),
}
EXPECTED_LOG = {"not_json": "not JSON", "malformed": "response.speech.plain.speech", "a_list": "not an object",
                "bad_changed": "assistant.changed", "megabyte": "byte limit", "megabyte_streamed": "byte limit",
                "server_error": "answered 500: boom", "slow": "within 0.5 s"}


@pytest.fixture
async def stand_in() -> AsyncIterator[dict[str, str]]:
    """A stand-in service whose conversation answer is ``mode["answer"]``."""
    mode = {"answer": "good"}

    async def process(request: web.Request) -> web.StreamResponse:
        result = ANSWERS[mode["answer"]](request)
        return await result if asyncio.iscoroutine(result) else result

    app = web.Application()
    app.router.add_get("/api/home", lambda r: web.json_response(HOME))
    app.router.add_post("/api/home/devices/{device}/state", lambda r: web.json_response({}))
    app.router.add_post("/api/conversation/process", process)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    mode["url"] = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
    yield mode
    await runner.cleanup()


async def _ask(hass: HomeAssistant, url: str) -> conversation.ConversationResult:
    assert await async_setup_component(hass, "homeassistant", {})
    entry = await add_entry(hass, url, "token", **{CONF_TIMEOUT: 0.5})
    return await conversation.async_converse(hass, "turn on the kitchen light", None, Context(),
                                             agent_id=agent_id(hass, entry))


@pytest.mark.parametrize("answer", sorted(EXPECTED_LOG))
async def test_a_bad_answer_gives_a_short_apology_and_a_clear_log_line(
        hass: HomeAssistant, stand_in: dict[str, str], answer: str, caplog: pytest.LogCaptureFixture) -> None:
    stand_in["answer"] = answer
    started = asyncio.get_running_loop().time()
    with caplog.at_level(logging.ERROR):
        result = await _ask(hass, stand_in["url"])
    speech = result.response.speech["plain"]["speech"]
    assert speech == (SPEECH_TIMEOUT if answer == "slow" else SPEECH_BROKEN)
    assert result.response.response_type.value == "error"
    assert EXPECTED_LOG[answer] in caplog.text
    assert asyncio.get_running_loop().time() - started < 2.5
    assert MAX_ANSWER_BYTES < 1_048_576


@pytest.mark.parametrize(("answer", "speech", "kind"), [("good", "Done.", "action_done"),
                                                       ("query", "It is 21 degrees.", "query_answer")])
async def test_a_good_answer_from_the_same_stand_in_is_spoken(hass: HomeAssistant, stand_in: dict[str, str],
                                                              answer: str, speech: str, kind: str) -> None:
    """The control: the stand-in itself is not what makes the other answers fail."""
    stand_in["answer"] = answer
    result = await _ask(hass, stand_in["url"])
    assert result.response.speech["plain"]["speech"] == speech
    assert result.response.response_type.value == kind
