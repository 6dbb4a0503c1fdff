"""Which Home Assistant entity is which of our devices (pure: no Home Assistant imports).

An exposed entity maps to one of our household's devices when the entity's area names the
device's room and the entity's domain fits the device's kind. When a room has several devices
of that kind, the entity's object id or name must name the device. Everything else is skipped
with a reason (logged by the caller): an entity never maps to a guess.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

# Home Assistant domain -> the kinds of our devices it can stand for.
DOMAIN_KINDS: dict[str, frozenset[str]] = {
    "light": frozenset({"light"}),
    "switch": frozenset({"coffee_maker", "oven", "light"}),
    "media_player": frozenset({"tv", "speaker"}),
    "climate": frozenset({"thermostat"}),
    "lock": frozenset({"lock"}),
    "cover": frozenset({"garage_door"}),
}
ENTITY_ID = re.compile(r"^([a-z0-9_]+)\.([a-z0-9_]+)$")
DEVICE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_NAME = 100


@dataclass(frozen=True)
class HaEntity:
    """An exposed Home Assistant entity: its id, name and area name (None without an area)."""

    entity_id: str
    name: str
    area: str | None


@dataclass(frozen=True)
class OurDevice:
    id: str
    name: str
    kind: str
    room: str
    state_keys: frozenset[str]
    can_speak: bool = False


@dataclass
class Mapping:
    """One household's mapping, both ways, and what was left out and why."""

    device_of: dict[str, str] = field(default_factory=dict)   # entity id -> our device id
    entity_of: dict[str, str] = field(default_factory=dict)   # our device id -> entity id
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (entity id, reason)

    def unmapped_devices(self, devices: list[OurDevice]) -> list[str]:
        return [d.id for d in devices if d.id not in self.entity_of]


def slug(text: str | None) -> str:
    """'Living Room' -> 'living_room'; accents dropped; anything odd becomes '_'."""
    if not text:
        return ""
    plain = unicodedata.normalize("NFKD", text[:MAX_NAME]).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", plain.lower()).strip("_")


def our_devices(home: dict[str, Any]) -> tuple[list[OurDevice], list[str]]:
    """Our devices from `GET /api/home`, and the reasons for any device that was unusable."""
    devices, problems = [], []
    for raw in home.get("devices") or []:
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str) or not DEVICE_ID.match(raw["id"]):
            problems.append(f"device {str(raw)[:60]!r} has no usable id")
            continue
        state = raw.get("state") if isinstance(raw.get("state"), dict) else {}
        devices.append(OurDevice(raw["id"], str(raw.get("name") or raw["id"]), str(raw.get("kind") or ""),
                                 str(raw.get("room") or ""), frozenset(state),
                                 "speak" in (raw.get("capabilities") or [])))
    return devices, problems


def build(entities: list[HaEntity], devices: list[OurDevice]) -> Mapping:
    """Map each entity to at most one device and each device to at most one entity."""
    mapping = Mapping()
    for entity in sorted(entities, key=lambda e: e.entity_id):
        found = _match(entity, devices)
        if isinstance(found, str):
            mapping.skipped.append((entity.entity_id[:120], found))
        elif found.id in mapping.entity_of:
            mapping.skipped.append((entity.entity_id, f"{found.id} is already mapped to "
                                                      f"{mapping.entity_of[found.id]}"))
        else:
            mapping.device_of[entity.entity_id] = found.id
            mapping.entity_of[found.id] = entity.entity_id
    return mapping


def _match(entity: HaEntity, devices: list[OurDevice]) -> OurDevice | str:
    parts = ENTITY_ID.match(entity.entity_id)
    if parts is None:
        return "the entity id is not domain.object_id in lowercase letters, digits and '_'"
    domain, object_id = parts.groups()
    kinds = DOMAIN_KINDS.get(domain)
    if kinds is None:
        return f"domain {domain!r} is not mapped"
    fitting = [d for d in devices if d.kind in kinds]
    names = {object_id, slug(entity.name)} - {""}
    named = [d for d in fitting if d.id in names or slug(d.name) in names]
    room = slug(entity.area)
    if room:
        in_room = [d for d in fitting if slug(d.room) == room]
        named_in_room = [d for d in named if d in in_room]
        if len(named_in_room) == 1:
            return named_in_room[0]
        if len(in_room) == 1 and not named:
            return in_room[0]
        if not in_room:
            return f"no {'/'.join(sorted(kinds))} of ours in a room named like area {entity.area!r}"
        return f"area {entity.area!r} has {len(in_room)} of our {'/'.join(sorted(kinds))} devices and the name picks none"
    if len(named) == 1:
        return named[0]
    return "the entity has no area and its id or name names none of our devices"


def speaker_in(area: str | None, devices: list[OurDevice]) -> str | None:
    """Our device that hears requests in a Home Assistant area (a satellite's): a speaking device
    in the room named like the area (a speaker first, then by id), else None (the service then
    uses the home's default). Any of them puts the request in that room."""
    room = slug(area)
    speaking = sorted((d for d in devices if d.can_speak and room and slug(d.room) == room),
                      key=lambda d: (d.kind != "speaker", d.id))
    return speaking[0].id if speaking else None


# -- states, both ways ----------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceCall:
    domain: str
    service: str
    data: dict[str, Any]


def calls_for(entity_id: str, state: dict[str, Any], color_modes: list[str] | None = None) -> list[ServiceCall]:
    """The Home Assistant service calls that give the entity our device's new ``state``.
    (Media playback is not mapped: our titles are not Home Assistant media ids.)"""
    domain = entity_id.split(".", 1)[0]
    target = {"entity_id": entity_id}
    if domain == "light":
        if state.get("power") == "off":
            return [ServiceCall("light", "turn_off", target)]
        data: dict[str, Any] = dict(target)
        if isinstance(state.get("brightness"), (int, float)):
            data["brightness_pct"] = max(0, min(100, int(state["brightness"])))
        data.update(_color(state.get("color"), set(color_modes or ())))
        return [ServiceCall("light", "turn_on", data)] if state.get("power") == "on" else []
    if domain in ("switch", "media_player") and state.get("power") in ("on", "off"):
        return [ServiceCall(domain, f"turn_{state['power']}", target)]
    if domain == "climate" and isinstance(state.get("target_temperature"), (int, float)):
        return [ServiceCall("climate", "set_temperature", {**target, "temperature": state["target_temperature"]})]
    if domain == "lock" and isinstance(state.get("locked"), bool):
        return [ServiceCall("lock", "lock" if state["locked"] else "unlock", target)]
    if domain == "cover" and state.get("position") in ("open", "closed"):
        return [ServiceCall("cover", "open_cover" if state["position"] == "open" else "close_cover", target)]
    return []


COLOR_MODES = {"hs", "rgb", "rgbw", "rgbww", "xy"}
WARM_WHITE_KELVIN = 2700


def _color(color: Any, modes: set[str]) -> dict[str, Any]:
    """Our colour for a light with these colour modes: a CSS colour name, warm white as a colour
    temperature; nothing the light cannot show."""
    if not isinstance(color, str):
        return {}
    if color == "warm white":
        return {"color_temp_kelvin": WARM_WHITE_KELVIN} if "color_temp" in modes else {}
    return {"color_name": color} if modes & COLOR_MODES and re.fullmatch(r"[a-z]+", color) else {}


def our_state(entity_id: str, ha_state: str, attributes: dict[str, Any], keys: frozenset[str]) -> dict[str, Any]:
    """Our device's state keys for a Home Assistant state (only keys the device has; nothing
    for an unavailable or unknown entity)."""
    if ha_state in ("unavailable", "unknown", ""):
        return {}
    domain = entity_id.split(".", 1)[0]
    values: dict[str, Any] = {}
    if domain in ("light", "switch"):
        values["power"] = "on" if ha_state == "on" else "off"
        brightness = attributes.get("brightness")
        if domain == "light" and isinstance(brightness, (int, float)) and ha_state == "on":
            values["brightness"] = max(1, min(100, round(brightness * 100 / 255)))
    elif domain == "media_player":
        values["power"] = "off" if ha_state in ("off", "standby") else "on"
    elif domain == "climate":
        for ours, theirs in (("target_temperature", "temperature"), ("current_temperature", "current_temperature")):
            if isinstance(attributes.get(theirs), (int, float)):
                values[ours] = attributes[theirs]
    elif domain == "lock" and ha_state in ("locked", "unlocked"):
        values["locked"] = ha_state == "locked"
    elif domain == "cover" and ha_state in ("open", "opening", "closed", "closing"):
        values["position"] = "open" if ha_state in ("open", "opening") else "closed"
    return {k: v for k, v in values.items() if k in keys}
