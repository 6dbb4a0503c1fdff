"""End to end: text through a real Assist pipeline of a real Home Assistant core, our agent,
a real `assistant serve` (trained Rasa model, action server), and back into Home Assistant."""

from __future__ import annotations

import asyncio
import logging

import pytest
from homeassistant.core import HomeAssistant

from custom_components.smarthome_assistant.const import SPEECH_REFUSED, SPEECH_UNREACHABLE
from custom_components.smarthome_assistant.conversation import service_user

from .home import Assist, add_entry, agent_id, satellite, setup_home, speech
from .service import Service

pytestmark = pytest.mark.usefixtures("socket_enabled")   # real HTTP to the real service


async def _until(check, seconds: float = 10.0) -> None:
    """Wait for a condition that a push to our service makes true."""
    for _ in range(int(seconds / 0.1)):
        if await asyncio.get_running_loop().run_in_executor(None, check):
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the condition never held")


async def test_the_light_really_changes_in_home_assistant(hass: HomeAssistant, hass_ws_client, hass_admin_user,
                                                          assistant_service: Service) -> None:
    await setup_home(hass)
    await hass.services.async_call("light", "turn_off", {"entity_id": "light.living_room_light"}, blocking=True)
    entry = await add_entry(hass, assistant_service.url, assistant_service.tokens["north"])
    assist = await Assist.create(hass_ws_client, agent_id(hass, entry))

    output = await assist.ask("turn on the living room light")

    assert hass.states.get("light.living_room_light").state == "on"
    assert output["response"]["response_type"] == "action_done"
    assert "living room" in speech(output).lower()
    assert assistant_service.device_state("north", "living_room_light")["power"] == "on"
    # The pipeline's conversation id comes back, and a follow-up in it keeps it.
    conversation_id = output["conversation_id"]
    assert conversation_id
    again = await assist.ask("turn off the living room light", conversation_id=conversation_id)
    assert again["conversation_id"] == conversation_id
    assert hass.states.get("light.living_room_light").state == "off"
    # The Home Assistant user (the websocket's admin, "Mock User") is our household's user.
    user = service_user(hass_admin_user.name, hass_admin_user.id)
    assert user.startswith("mock_user-")
    assert assistant_service.get(f"/api/users/{user}/data", "north")["log"]["turns"] >= 2


async def test_a_satellite_speaks_for_our_device_in_its_area(hass: HomeAssistant, hass_ws_client,
                                                             assistant_service: Service) -> None:
    """"The lights" are the lights of the room the satellite is in (our bedroom speaker's room)."""
    await setup_home(hass)
    for light in ("light.bedside", "light.living_room_light", "light.ceiling"):
        await hass.services.async_call("light", "turn_off", {"entity_id": light}, blocking=True)
    entry = await add_entry(hass, assistant_service.url, assistant_service.tokens["south"])
    assist = await Assist.create(hass_ws_client, agent_id(hass, entry))

    await assist.ask("turn on the lights", device_id=satellite(hass, entry, "Bedroom"))

    assert hass.states.get("light.bedside").state == "on"
    assert hass.states.get("light.living_room_light").state == "off"
    assert hass.states.get("light.ceiling").state == "off"


async def test_a_state_change_in_home_assistant_reaches_our_home(hass: HomeAssistant,
                                                                 assistant_service: Service) -> None:
    await setup_home(hass)
    await add_entry(hass, assistant_service.url, assistant_service.tokens["north"])
    await hass.services.async_call("light", "turn_on", {"entity_id": "light.ceiling", "brightness": 128},
                                   blocking=True)
    await _until(lambda: assistant_service.device_state("north", "kitchen_light") == {
        **assistant_service.device_state("north", "kitchen_light"), "power": "on", "brightness": 50})
    await hass.services.async_call("light", "turn_off", {"entity_id": "light.ceiling"}, blocking=True)
    await _until(lambda: assistant_service.device_state("north", "kitchen_light")["power"] == "off")
    # The other household's home is not touched by north's mapping.
    assert assistant_service.device_state("south", "kitchen_light")["power"] == "off"


async def test_a_taught_concept_is_applied_on_the_next_request(hass: HomeAssistant, hass_ws_client,
                                                               assistant_service: Service) -> None:
    await setup_home(hass)
    await hass.services.async_call("light", "turn_on", {"entity_id": "light.living_room_light", "brightness": 255},
                                   blocking=True)
    entry = await add_entry(hass, assistant_service.url, assistant_service.tokens["north"])
    assist = await Assist.create(hass_ws_client, agent_id(hass, entry))

    taught = await assist.ask("when I say movie time, dim the living room lights")
    assert "movie time" in speech(taught).lower(), speech(taught)
    used = await assist.ask("movie time")

    assert speech(used).startswith("Movie time:"), speech(used)
    assert hass.states.get("light.living_room_light").attributes["brightness"] == round(30 * 255 / 100)


async def test_a_taught_preference_is_applied_on_the_next_request(hass: HomeAssistant, hass_ws_client,
                                                                  assistant_service: Service) -> None:
    await setup_home(hass)
    entry = await add_entry(hass, assistant_service.url, assistant_service.tokens["north"])
    assist = await Assist.create(hass_ws_client, agent_id(hass, entry))

    before = await assist.ask("how did my team do?")
    assert "Golden State Warriors" not in speech(before), speech(before)
    taught = await assist.ask("I'm a Warriors fan")
    assert "Golden State Warriors" in speech(taught), speech(taught)
    used = await assist.ask("how did my team do?")

    assert "Golden State Warriors" in speech(used), speech(used)


async def test_a_concept_taught_in_one_household_is_unknown_in_the_other(hass: HomeAssistant, hass_ws_client,
                                                                         assistant_service: Service) -> None:
    await setup_home(hass)
    north = await add_entry(hass, assistant_service.url, assistant_service.tokens["north"])
    south = await add_entry(hass, assistant_service.url, assistant_service.tokens["south"])
    north_assist = await Assist.create(hass_ws_client, agent_id(hass, north))
    south_assist = await Assist.create(hass_ws_client, agent_id(hass, south))

    taught = await north_assist.ask("when I say reading time, turn on the office light")
    assert "reading time" in speech(taught).lower(), speech(taught)
    elsewhere = await south_assist.ask("reading time")

    assert not speech(elsewhere).startswith("Reading time:"), speech(elsewhere)


async def test_a_wrong_token_is_reported(hass: HomeAssistant, hass_ws_client, assistant_service: Service,
                                         caplog: pytest.LogCaptureFixture) -> None:
    """A token revoked after set-up: the service's 401 becomes a spoken apology and a log error."""
    await setup_home(hass)
    token_id, token = assistant_service.new_token("north")
    entry = await add_entry(hass, assistant_service.url, token)
    assist = await Assist.create(hass_ws_client, agent_id(hass, entry))
    assistant_service.cli("tokens", "revoke", str(token_id))

    with caplog.at_level(logging.ERROR):
        output = await assist.ask("turn on the living room light")

    assert speech(output) == SPEECH_REFUSED
    assert output["response"]["response_type"] == "error"
    assert "refused the household token (401)" in caplog.text


@pytest.mark.kills_service
async def test_a_killed_service_gives_the_spoken_error(hass: HomeAssistant, hass_ws_client,
                                                       assistant_service: Service,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    await setup_home(hass)
    entry = await add_entry(hass, assistant_service.url, assistant_service.tokens["north"])
    assist = await Assist.create(hass_ws_client, agent_id(hass, entry))
    assistant_service.kill()

    with caplog.at_level(logging.ERROR):
        started = asyncio.get_running_loop().time()
        output = await assist.ask("turn on the living room light")

    assert asyncio.get_running_loop().time() - started < 10
    assert speech(output) == SPEECH_UNREACHABLE
    assert "(unreachable)" in caplog.text
