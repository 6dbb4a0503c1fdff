"""A small real Home Assistant home for the tests: template lights (backed by input_boolean and
input_number), areas, exposure to Assist, our config entry and an Assist pipeline using it."""

from __future__ import annotations

from typing import Any

from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.core import HomeAssistant
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smarthome_assistant.const import CONF_TOKEN, CONF_URL, DOMAIN


def _light(key: str, name: str) -> dict[str, Any]:
    power, level = f"input_boolean.{key}_power", f"input_number.{key}_level"
    return {
        "unique_id": f"test_{key}", "friendly_name": name,
        "value_template": f"{{{{ is_state('{power}', 'on') }}}}",
        "level_template": f"{{{{ states('{level}') | int }}}}",
        "turn_on": {"action": "input_boolean.turn_on", "target": {"entity_id": power}},
        "turn_off": {"action": "input_boolean.turn_off", "target": {"entity_id": power}},
        "set_level": [
            {"action": "input_number.set_value", "target": {"entity_id": level}, "data": {"value": "{{ brightness }}"}},
            {"action": "input_boolean.turn_on", "target": {"entity_id": power}},
        ],
    }


LIGHTS = {"living_room_light": ("Living Room Light", "Living Room"),
          "bedside": ("Bedside", "Bedroom"),
          "ceiling": ("Küche Decke ☃", "Kitchen"),          # an odd name: mapped by its area
          "porch": ("Porch!!", None)}                        # no area, no such device: skipped


async def setup_home(hass: HomeAssistant) -> None:
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "input_boolean", {"input_boolean": {
        f"{key}_power": {"name": f"{key} power"} for key in LIGHTS}})
    assert await async_setup_component(hass, "input_number", {"input_number": {
        f"{key}_level": {"name": f"{key} level", "min": 0, "max": 255, "step": 1, "initial": 255} for key in LIGHTS}})
    assert await async_setup_component(hass, "light", {"light": [
        {"platform": "template", "lights": {key: _light(key, name) for key, (name, _) in LIGHTS.items()}}]})
    assert await async_setup_component(hass, "assist_pipeline", {})
    await hass.async_block_till_done()
    areas, entities = ar.async_get(hass), er.async_get(hass)
    for key, (_, area) in LIGHTS.items():
        entity_id = entities.async_get_entity_id("light", "template", f"test_{key}")
        assert entity_id is not None
        if area:
            area_id = (areas.async_get_area_by_name(area) or areas.async_create(area)).id
            entities.async_update_entity(entity_id, area_id=area_id)
        async_expose_entity(hass, "conversation", entity_id, True)


async def add_entry(hass: HomeAssistant, url: str, token: str, unique_id: str | None = None,
                    **options: Any) -> MockConfigEntry:
    entry = MockConfigEntry(domain=DOMAIN, data={CONF_URL: url, CONF_TOKEN: token}, options=options,
                            title="test household", unique_id=unique_id)
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


def satellite(hass: HomeAssistant, entry: MockConfigEntry, area: str) -> str:
    """A voice satellite's device in an area; its device id."""
    areas = ar.async_get(hass)
    area_id = (areas.async_get_area_by_name(area) or areas.async_create(area)).id
    device = dr.async_get(hass).async_get_or_create(config_entry_id=entry.entry_id,
                                                    identifiers={("test", f"satellite-{area}")}, name=f"{area} satellite")
    dr.async_get(hass).async_update_device(device.id, area_id=area_id)
    return device.id


def agent_id(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    entity_id = er.async_get(hass).async_get_entity_id("conversation", DOMAIN, entry.entry_id)
    assert entity_id is not None, "the integration registered no conversation agent"
    return entity_id


class Assist:
    """Runs text through a real Assist pipeline (websocket `assist_pipeline/run`, intent stage)
    whose conversation agent is ours."""

    def __init__(self, client: Any, pipeline: str) -> None:
        self.client = client
        self.pipeline = pipeline
        self._ids = 100

    @classmethod
    async def create(cls, hass_ws_client: Any, agent: str) -> "Assist":
        client = await hass_ws_client()
        await client.send_json_auto_id({
            "type": "assist_pipeline/pipeline/create", "conversation_engine": agent, "conversation_language": "en",
            "language": "en", "name": "ours", "stt_engine": None, "stt_language": None, "tts_engine": None,
            "tts_language": None, "tts_voice": None, "wake_word_entity": None, "wake_word_id": None})
        created = await client.receive_json()
        assert created["success"], created
        return cls(client, created["result"]["id"])

    async def ask(self, text: str, conversation_id: str | None = None, device_id: str | None = None) -> dict[str, Any]:
        """The pipeline's intent output (a ConversationResult as a dict)."""
        await self.client.send_json_auto_id({
            "type": "assist_pipeline/run", "start_stage": "intent", "end_stage": "intent",
            "input": {"text": text}, "pipeline": self.pipeline, "conversation_id": conversation_id,
            "device_id": device_id})
        started = await self.client.receive_json()
        assert started["success"], started
        output = None
        while True:
            message = await self.client.receive_json()
            event = message["event"]
            if event["type"] == "intent-end":
                output = event["data"]["intent_output"]
            if event["type"] == "error":
                raise AssertionError(f"the pipeline failed: {event['data']}")
            if event["type"] == "run-end":
                assert output is not None, "the pipeline ended without an intent output"
                return output


def speech(output: dict[str, Any]) -> str:
    return output["response"]["speech"]["plain"]["speech"]
