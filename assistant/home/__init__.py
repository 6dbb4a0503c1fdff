"""The simulated home: devices with state in rooms, a clock, events, and directives.

See docs/ARCHITECTURE.md, "The home (assistant.home)".
"""

from __future__ import annotations

from assistant.home.clock import Clock, TimeOfDay
from assistant.home.devices import Capability, Device, DeviceKind
from assistant.home.directives import (
    Directive,
    DirectiveParseError,
    DirectiveResult,
    DirectiveVerb,
    Refusal,
)
from assistant.home.events import Event, EventKind
from assistant.home.home import Home
from assistant.home.loader import HomeFileError

__all__ = [
    "Capability", "Clock", "Device", "DeviceKind", "Directive", "DirectiveParseError",
    "DirectiveResult", "DirectiveVerb", "Event", "EventKind", "Home", "HomeFileError",
    "Refusal", "TimeOfDay",
]
