"""The simulated clock and the time of day."""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass

START = dt.datetime(2026, 1, 5, 7, 0)
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class TimeOfDay(enum.Enum):
    """Coarse time of day: a context slot."""

    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"
    NIGHT = "night"

    @classmethod
    def of(cls, moment: dt.datetime) -> "TimeOfDay":
        hour = moment.hour
        if 5 <= hour < 12:
            return cls.MORNING
        if 12 <= hour < 17:
            return cls.AFTERNOON
        if 17 <= hour < 22:
            return cls.EVENING
        return cls.NIGHT


def parse_hhmm(text: str) -> tuple[int, int]:
    """ "07:30" -> (7, 30); ValueError if malformed."""
    match = _HHMM.match(str(text).strip())
    if not match:
        raise ValueError(f"{text!r} is not a time like 07:30")
    return int(match.group(1)), int(match.group(2))


@dataclass
class Clock:
    """Simulated time; it only moves when told to."""

    now: dt.datetime = START

    @property
    def time_of_day(self) -> TimeOfDay:
        return TimeOfDay.of(self.now)

    def next_occurrence(self, hhmm: str) -> dt.datetime:
        """The next moment (after now) the clock shows hhmm."""
        hour, minute = parse_hhmm(hhmm)
        candidate = self.now.replace(hour=hour, minute=minute, second=0, microsecond=0)
        return candidate if candidate > self.now else candidate + dt.timedelta(days=1)
