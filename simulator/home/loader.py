"""Read a home from YAML, with errors that name the file and the problem."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from simulator.home.clock import START, Clock, parse_hhmm
from simulator.home.devices import Capability, Device, DeviceKind, default_state
from simulator.home.rules import check_state_values


class HomeFileError(ValueError):
    """A home file that can't be read; the message names the file and the problem."""


def default_home_path() -> Path:
    import simulator

    return Path(simulator.__file__).parent / "homes" / "default.yml"


def load_home(path: Path) -> "Home":
    """Parse and validate a home file."""
    from simulator.home.home import Home

    def fail(problem: str) -> HomeFileError:
        return HomeFileError(f"{path}: {problem}")

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise fail(f"cannot read the file ({error.strerror or error})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise fail(f"{where}not valid YAML ({getattr(error, 'problem', None) or error})") from None
    if not isinstance(data, dict):
        raise fail("expected a mapping with 'rooms' and 'devices'")
    for key in ("rooms", "devices"):
        if key not in data:
            raise fail(f"missing '{key}'")
    rooms = data["rooms"]
    if not isinstance(rooms, list) or not all(isinstance(r, str) for r in rooms) or not rooms:
        raise fail("'rooms' must be a non-empty list of names")
    if not isinstance(data["devices"], list) or not data["devices"]:
        raise fail("'devices' must be a non-empty list")
    devices: dict[str, Device] = {}
    for index, raw in enumerate(data["devices"], 1):
        device = _device(raw, rooms, index, fail)
        if device.id in devices:
            raise fail(f"device {index}: duplicate id {device.id!r}")
        devices[device.id] = device
    now = START
    if "clock" in data:
        try:
            hour, minute = parse_hhmm(str(data["clock"]))
        except ValueError as error:
            raise fail(f"clock: {error}") from None
        now = dt.datetime.combine(START.date(), dt.time(hour, minute))
    return Home(name=str(data.get("name", path.stem)), rooms=list(rooms), devices=devices,
                clock=Clock(now))


def _device(raw: Any, rooms: list[str], index: int, fail) -> Device:
    if not isinstance(raw, dict):
        raise fail(f"device {index}: expected a mapping")
    for key in ("id", "kind", "room"):
        if key not in raw:
            raise fail(f"device {index}: missing '{key}'")
    device_id = str(raw["id"])
    try:
        kind = DeviceKind(raw["kind"])
    except ValueError:
        raise fail(f"device {device_id!r}: unknown kind {raw['kind']!r} "
                   f"(known: {', '.join(k.value for k in DeviceKind)})") from None
    if raw["room"] not in rooms:
        raise fail(f"device {device_id!r}: room {raw['room']!r} is not in rooms {rooms}")
    try:
        capabilities = frozenset(Capability(c) for c in raw.get("capabilities", []))
    except ValueError as error:
        raise fail(f"device {device_id!r}: unknown capability ({error}); known: "
                   f"{', '.join(c.value for c in Capability)}") from None
    if not capabilities:
        raise fail(f"device {device_id!r}: no capabilities")
    device = Device(
        id=device_id,
        name=str(raw.get("name", device_id.replace("_", " "))),
        kind=kind,
        room=raw["room"],
        capabilities=capabilities,
        state=default_state(capabilities),
        aliases=tuple(str(a) for a in raw.get("aliases", [])),
    )
    if raw.get("state"):
        if not isinstance(raw["state"], dict):
            raise fail(f"device {device_id!r}: state must be a mapping")
        values, problem = check_state_values(device, raw["state"])
        if problem:
            raise fail(f"device {device_id!r}: {problem}")
        device.state.update(values)
    return device
