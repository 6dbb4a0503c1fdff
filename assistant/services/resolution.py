"""Resolve which device(s) a request means, from its words and the ambient context.

As in Home Assistant, the speaking device's room is the default target. A failed
resolution carries a typed reason that feeds the reply and, later, failure analysis.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from assistant.catalog import load_catalog
from assistant.outcomes import Problem
from assistant.services.text_match import find_phrase

if TYPE_CHECKING:
    from assistant.home import Device, Home


class Unresolved(enum.Enum):
    """Why no target could be chosen."""

    NO_SUCH_DEVICE = "no_such_device"
    AMBIGUOUS = "ambiguous"
    UNSUPPORTED = "unsupported"
    NO_TARGET = "no_target"

    @property
    def as_problem(self) -> Problem:
        """The code the action tags its reply with."""
        return Problem[self.name]


@dataclass(frozen=True)
class Resolution:
    """The devices a request targets, or why there are none."""

    devices: list["Device"] = field(default_factory=list)
    reason: Unresolved | None = None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.reason is None and bool(self.devices)


def kind_in(text: str, entity: str | None = None) -> str | None:
    """The device kind named by an entity value or, failing that, anywhere in the text."""
    catalog = load_catalog()
    if entity and (kind := catalog.device_kind_for(entity)):
        return kind
    words = {w: k for k, ws in catalog.device_words.items() for w in ws}
    phrase = find_phrase(text, words)
    return words[phrase] if phrase else None


def room_in(text: str, entity: str | None = None) -> str | None:
    """The room named by an entity value or in the text, or None."""
    catalog = load_catalog()
    if entity and (room := catalog.room_for(entity)):
        return room
    words = {w: r for r, ws in catalog.room_words.items() for w in ws}
    words.update({r.replace("_", " "): r for r in catalog.room_words})
    phrase = find_phrase(text, words)
    return words[phrase] if phrase else None


def resolve(
    home: "Home",
    speaking: "Device",
    *,
    kind: str | None,
    room: str | None = None,
    all_in_room: bool = True,
    everywhere: bool = False,
) -> Resolution:
    """Choose the target devices.

    Args:
        home: the home.
        speaking: the device the user spoke to (its room is the default).
        kind: the device kind wanted (a DeviceKind value), or None if unknown.
        room: a room the user named, if any.
        all_in_room: several matches in the chosen room are all targeted ("the lights").
        everywhere: with no room named, every device of the kind in the home ("all the lights").
    """
    if kind is None:
        return Resolution(reason=Unresolved.NO_TARGET, message="Which device do you mean?")
    candidates = [d for d in home.devices.values() if d.kind.value == kind]
    label = kind.replace("_", " ")
    if not candidates:
        return Resolution(reason=Unresolved.NO_SUCH_DEVICE,
                          message=f"There's no {label} in this home.")
    if room is not None:
        in_room = [d for d in candidates if d.room == room]
        if not in_room:
            return Resolution(reason=Unresolved.NO_SUCH_DEVICE,
                              message=f"There's no {label} in the {room.replace('_', ' ')}.")
        return Resolution(devices=in_room if all_in_room else in_room[:1])
    if len(candidates) == 1 or everywhere:
        return Resolution(devices=candidates)
    here = [d for d in candidates if d.room == speaking.room]
    if here:
        return Resolution(devices=here if all_in_room else here[:1])
    rooms = ", ".join(sorted({d.room.replace("_", " ") for d in candidates}))
    return Resolution(reason=Unresolved.AMBIGUOUS,
                      message=f"Which {label} do you mean? There's one in the {rooms}.")


def names(devices: list["Device"]) -> str:
    """ "the kitchen light and the bedroom light"."""
    labels = [f"the {d.name}" for d in devices]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
