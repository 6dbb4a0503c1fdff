"""Read a home from YAML; every problem raises ``HomeFileError`` naming the file and the problem.

A home file::

    name: default
    clock: "07:00"          # optional, default 07:00
    default_user: alice     # optional: who speaks when a request names no user (the service)
    date: 2026-01-05        # optional, default 2026-01-05
    rooms: [kitchen, hallway]
    devices:
      - {id: kitchen_light, name: kitchen light, kind: light, room: kitchen,
         capabilities: [power, brightness, color], state: {brightness: 60}, aliases: [pendant]}
      - {id: kids_speaker, kind: speaker, room: hallway, capabilities: [speak], default_user: sam}
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import yaml

from assistant.home.clock import START, Clock, normalize_hhmm
from assistant.home.devices import Capability, Device, DeviceKind, default_state
from assistant.home.directives import RefusedError
from assistant.home.home import Home
from assistant.home.states import settle, validate_values

TOP_KEYS = ("name", "clock", "date", "rooms", "devices", "default_user")
DEVICE_KEYS = ("id", "name", "kind", "room", "capabilities", "state", "aliases", "default_user")
_WORD = re.compile(r"^[a-z0-9_]+$")
_USER = re.compile(r"^[A-Za-z0-9_@-]{1,39}$")


class HomeFileError(ValueError):
    """A home file that can't be used; the message names the file and the problem."""


def default_home_path() -> Path:
    """Where the shipped default home is (``assistant/homes/default.yml``)."""
    return Path(__file__).resolve().parents[1] / "homes" / "default.yml"


def load_home(path: Path) -> Home:
    """Read, parse and validate a home file.

    Raises:
        HomeFileError: unreadable file, bad YAML (with its line), missing or unknown keys,
            unknown kind or capability, a device in an unknown room, duplicate ids, bad state.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise HomeFileError(f"{path}: cannot read the file ({error.strerror or error})") from None
    except UnicodeDecodeError:
        raise HomeFileError(f"{path}: not a text file (not UTF-8)") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error)
        raise HomeFileError(f"{path}: {where}not valid YAML ({problem})") from None
    try:
        return home_from_data(data, default_name=path.stem)
    except HomeFileError as error:
        raise HomeFileError(f"{path}: {error}") from None


def home_from_data(data: Any, default_name: str = "home") -> Home:
    """Build a home from parsed YAML data.

    Raises:
        HomeFileError: the data is not a valid home (the message names the problem, not a file).
    """
    if not isinstance(data, dict):
        raise HomeFileError("expected a mapping with 'rooms' and 'devices'")
    _known_keys(data, TOP_KEYS, "the home")
    for key in ("rooms", "devices"):
        if key not in data:
            raise HomeFileError(f"missing '{key}'")
    rooms = data["rooms"]
    if not isinstance(rooms, list) or not rooms \
            or not all(isinstance(r, str) and _WORD.match(r) for r in rooms):
        raise HomeFileError("'rooms' must be a non-empty list of room ids like living_room")
    if len(set(rooms)) != len(rooms):
        raise HomeFileError(f"'rooms' lists a room twice: {rooms}")
    if not isinstance(data["devices"], list) or not data["devices"]:
        raise HomeFileError("'devices' must be a non-empty list")
    devices: dict[str, Device] = {}
    for index, raw in enumerate(data["devices"], 1):
        device = _device(raw, rooms, index)
        if device.id in devices:
            raise HomeFileError(f"device {index}: duplicate id {device.id!r}")
        devices[device.id] = device
    return Home(name=str(data.get("name", default_name)), rooms=list(rooms), devices=devices,
                clock=Clock(_start(data)), default_user=_default_user(data, "the home"))


def _default_user(data: dict[str, Any], where: str) -> str | None:
    """An optional ``default_user``: a user id of letters, digits, '_', '@' or '-'."""
    raw = data.get("default_user")
    if raw is None:
        return None
    if not isinstance(raw, str) or not _USER.match(raw):
        raise HomeFileError(f"{where}: default_user {raw!r} must be 1-39 letters, digits, '_', '@' or '-'")
    return raw


def _start(data: dict[str, Any]) -> dt.datetime:
    day = START.date()
    if "date" in data:
        raw = data["date"]
        try:
            day = raw if isinstance(raw, dt.date) else dt.date.fromisoformat(str(raw))
        except ValueError:
            raise HomeFileError(f"date: {raw!r} is not a date like 2026-01-05") from None
    hhmm = START.strftime("%H:%M")
    if "clock" in data:
        try:
            hhmm = normalize_hhmm(_yaml_time(data["clock"]))
        except ValueError as error:
            raise HomeFileError(f"clock: {error}") from None
    return dt.datetime.combine(day, dt.time.fromisoformat(hhmm))


def _yaml_time(raw: Any) -> str:
    """YAML 1.1 reads an unquoted 07:30 as the base-60 number 450; read it back as a time."""
    if isinstance(raw, int) and not isinstance(raw, bool) and 0 <= raw < 24 * 60:
        return f"{raw // 60:02d}:{raw % 60:02d}"
    return str(raw)


def _known_keys(data: dict[str, Any], allowed: tuple[str, ...], where: str) -> None:
    unknown = [str(k) for k in data if k not in allowed]
    if unknown:
        raise HomeFileError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(allowed)})")


def _device(raw: Any, rooms: list[str], index: int) -> Device:
    if not isinstance(raw, dict):
        raise HomeFileError(f"device {index}: expected a mapping with id, kind, room, capabilities")
    for key in ("id", "kind", "room", "capabilities"):
        if key not in raw:
            raise HomeFileError(f"device {index}: missing '{key}'")
    device_id = raw["id"]
    if not isinstance(device_id, str) or not _WORD.match(device_id):
        raise HomeFileError(f"device {index}: id {device_id!r} must be one word like kitchen_light")
    where = f"device {device_id!r}"
    _known_keys(raw, DEVICE_KEYS, where)
    try:
        kind = DeviceKind(raw["kind"])
    except ValueError:
        raise HomeFileError(f"{where}: unknown kind {raw['kind']!r} "
                            f"(known: {', '.join(k.value for k in DeviceKind)})") from None
    if raw["room"] not in rooms:
        raise HomeFileError(f"{where}: room {raw['room']!r} is not in rooms ({', '.join(rooms)})")
    capabilities = _capabilities(raw["capabilities"], where)
    device = Device(
        id=device_id,
        name=str(raw.get("name") or device_id.replace("_", " ")),
        kind=kind,
        room=raw["room"],
        capabilities=capabilities,
        state=default_state(capabilities),
        aliases=_aliases(raw.get("aliases", []), where),
        default_user=_default_user(raw, where),
    )
    _initial_state(device, raw.get("state") or {}, where)
    return device


def _capabilities(raw: Any, where: str) -> frozenset[Capability]:
    if not isinstance(raw, list) or not raw:
        raise HomeFileError(f"{where}: 'capabilities' must be a non-empty list")
    known = {c.value: c for c in Capability}
    for name in raw:
        if name not in known:
            raise HomeFileError(f"{where}: unknown capability {name!r} (known: {', '.join(known)})")
    capabilities = frozenset(known[name] for name in raw)
    if {Capability.TEMPERATURE, Capability.THERMOSTAT} <= capabilities:
        raise HomeFileError(f"{where}: a device is an oven (temperature) or a thermostat, not both")
    return capabilities


def _aliases(raw: Any, where: str) -> tuple[str, ...]:
    from assistant.catalog import load_catalog

    if not isinstance(raw, list) or not all(isinstance(a, str) and a.strip() for a in raw):
        raise HomeFileError(f"{where}: 'aliases' must be a list of names")
    kind_words = {word: kind for kind, words in load_catalog().device_words.items() for word in words}
    for alias in raw:
        if alias.lower() in kind_words:
            raise HomeFileError(
                f"{where}: alias {alias!r} is a catalog word for every {kind_words[alias.lower()]} "
                "(assistant/catalogs/devices.yml), not a name for one device")
    return tuple(raw)


def _initial_state(device: Device, raw: Any, where: str) -> None:
    if not isinstance(raw, dict):
        raise HomeFileError(f"{where}: 'state' must be a mapping")
    if isinstance(raw.get("alarms"), list):
        raw = {**raw, "alarms": [_yaml_time(a) for a in raw["alarms"]]}
    try:
        device.state.update(validate_values(device, raw))
        settle(device, device.state, frozenset(raw))
    except RefusedError as error:
        raise HomeFileError(f"{where}: state: {error.message}") from None
