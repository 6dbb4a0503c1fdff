"""The simulated clock and the time of day."""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass

START = dt.datetime(2026, 1, 5, 7, 0)
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class TimeOfDay(enum.Enum):
    """Coarse time of day (a context slot): morning 5-12, afternoon 12-17, evening 17-22, night."""

    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"
    NIGHT = "night"

    @classmethod
    def of(cls, moment: dt.datetime | dt.time) -> TimeOfDay:
        """The time of day at a moment."""
        hour = moment.hour
        if 5 <= hour < 12:
            return cls.MORNING
        if 12 <= hour < 17:
            return cls.AFTERNOON
        if 17 <= hour < 22:
            return cls.EVENING
        return cls.NIGHT


def parse_hhmm(text: str) -> tuple[int, int]:
    """Read a clock time: ``"07:30"`` -> ``(7, 30)``.

    Raises:
        ValueError: not a 24-hour time like 07:30.
    """
    match = _HHMM.match(str(text).strip())
    if not match:
        raise ValueError(f"{text!r} is not a time like 07:30")
    return int(match.group(1)), int(match.group(2))


def normalize_hhmm(text: str) -> str:
    """``"7:05"`` -> ``"07:05"``; ValueError if malformed."""
    hour, minute = parse_hhmm(text)
    return f"{hour:02d}:{minute:02d}"


@dataclass
class Clock:
    """Simulated time, to the second; it moves only when the home is told to advance."""

    now: dt.datetime = START

    @property
    def time_of_day(self) -> TimeOfDay:
        """Morning, afternoon, evening or night, now."""
        return TimeOfDay.of(self.now)

    @property
    def hhmm(self) -> str:
        """The time on the clock face, ``"07:00"``."""
        return self.now.strftime("%H:%M")

    def next_occurrence(self, hhmm: str) -> dt.datetime:
        """The first moment strictly after now when the clock shows ``hhmm`` (seconds 00)."""
        hour, minute = parse_hhmm(hhmm)
        candidate = self.now.replace(hour=hour, minute=minute, second=0, microsecond=0)
        return candidate if candidate > self.now else candidate + dt.timedelta(days=1)
