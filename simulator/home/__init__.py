"""The simulated home: devices with state in rooms, a clock, events, and directives.

See docs/ARCHITECTURE.md, "The home (simulator.home)".
"""

from __future__ import annotations

from simulator.home.clock import Clock, TimeOfDay
from simulator.home.devices import Capability, Device, DeviceKind
from simulator.home.directives import (
    Directive,
    DirectiveParseError,
    DirectiveResult,
    DirectiveVerb,
    Refusal,
)
from simulator.home.events import Event, EventKind
from simulator.home.home import Home
from simulator.home.loader import HomeFileError

__all__ = [
    "Capability", "Clock", "Device", "DeviceKind", "Directive", "DirectiveParseError",
    "DirectiveResult", "DirectiveVerb", "Event", "EventKind", "Home", "HomeFileError",
    "Refusal", "TimeOfDay",
]
