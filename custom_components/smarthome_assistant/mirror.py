"""Our household's home mirrors the Home Assistant one: the mapping is built from Home
Assistant's areas and exposed entities, a device state our assistant changed becomes a service
call, and a state change in Home Assistant is pushed to our home (`POST
/api/home/devices/<id>/state`). One mirror per config entry: it reads and writes only its own
household (its token), and only the entities its own mapping holds."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import voluptuous as vol
from homeassistant.components.homeassistant.exposed_entities import async_should_expose
from homeassistant.core import Context, Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import async_track_state_change_event

from . import mapping
from .client import Failure, ServiceClient

_LOGGER = logging.getLogger(__name__)
SERVICE_CALL_SECONDS = 5.0


def exposed_entities(hass: HomeAssistant) -> list[mapping.HaEntity]:
    """The entities exposed to Assist in the mapped domains, with their area's name."""
    entities = er.async_get(hass)
    devices = dr.async_get(hass)
    areas = ar.async_get(hass)
    found = []
    for state in hass.states.async_all(list(mapping.DOMAIN_KINDS)):
        if not async_should_expose(hass, "conversation", state.entity_id):
            continue
        entry = entities.async_get(state.entity_id)
        area_id = entry.area_id if entry else None
        if area_id is None and entry is not None and entry.device_id:
            device = devices.async_get(entry.device_id)
            area_id = device.area_id if device else None
        area = areas.async_get_area(area_id) if area_id else None
        found.append(mapping.HaEntity(state.entity_id, str(state.name), area.name if area else None))
    return found


class HomeMirror:
    """The mapping of one household, and the two directions of state it carries."""

    def __init__(self, hass: HomeAssistant, client: ServiceClient, home: dict[str, Any]) -> None:
        self.hass = hass
        self.client = client
        self.home_name = str(home.get("name") or "?")
        self.devices, problems = mapping.our_devices(home)
        for problem in problems:
            _LOGGER.warning("home %s: %s; skipped", self.home_name, problem)
        self.map = mapping.build(exposed_entities(hass), self.devices)
        self._unsubscribe: Any = None
        for entity_id, reason in self.map.skipped:
            _LOGGER.info("home %s: %s not mapped: %s", self.home_name, entity_id, reason)
        _LOGGER.info("home %s: mapped %s; our devices without an entity: %s", self.home_name,
                     ", ".join(f"{e} -> {d}" for e, d in sorted(self.map.device_of.items())) or "nothing",
                     ", ".join(self.map.unmapped_devices(self.devices)) or "none")

    def satellite_device(self, ha_device_id: str | None) -> str | None:
        """Our device for the Home Assistant device (a satellite) that heard the request."""
        if not ha_device_id:
            return None
        device = dr.async_get(self.hass).async_get(ha_device_id)
        area = ar.async_get(self.hass).async_get_area(device.area_id) if device and device.area_id else None
        return mapping.speaker_in(area.name if area else None, self.devices)

    async def start(self) -> None:
        """Push every mapped entity's state once, then follow their changes."""
        for entity_id in self.map.device_of:
            state = self.hass.states.get(entity_id)
            if state is not None:
                await self._push(entity_id, state.state, dict(state.attributes))
        self._unsubscribe = async_track_state_change_event(self.hass, list(self.map.device_of), self._changed)

    def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    @callback
    def _changed(self, event: Event[EventStateChangedData]) -> None:
        new = event.data["new_state"]
        if new is not None:
            self.hass.async_create_task(self._push(new.entity_id, new.state, dict(new.attributes)))

    async def _push(self, entity_id: str, ha_state: str, attributes: dict[str, Any]) -> None:
        device = self.map.device_of.get(entity_id)
        keys = next((d.state_keys for d in self.devices if d.id == device), frozenset())
        values = mapping.our_state(entity_id, ha_state, attributes, keys)
        if device is None or not values:
            return
        outcome = await self.client.push_state(device, values)
        if isinstance(outcome, Failure):
            _LOGGER.warning("home %s: could not push %s to %s: %s", self.home_name, entity_id, device,
                            outcome.detail)

    async def apply(self, changed: dict[str, dict[str, Any]], context: Context) -> list[str]:
        """Give the mapped entities the states our assistant set; the entity ids changed."""
        done = []
        for device, state in changed.items():
            entity_id = self.map.entity_of.get(device)
            if entity_id is None:
                _LOGGER.debug("home %s: %s changed but is not mapped to an entity", self.home_name, device)
                continue
            current = self.hass.states.get(entity_id)
            modes = current.attributes.get("supported_color_modes") if current else None
            for call in mapping.calls_for(entity_id, state, list(modes or [])):
                try:
                    async with asyncio.timeout(SERVICE_CALL_SECONDS):
                        await self.hass.services.async_call(call.domain, call.service, call.data, blocking=True,
                                                            context=context)
                    done.append(entity_id)
                except (HomeAssistantError, TimeoutError, ValueError, vol.Invalid) as error:
                    _LOGGER.warning("home %s: %s.%s on %s failed: %s", self.home_name, call.domain, call.service,
                                    entity_id, error)
        return done
