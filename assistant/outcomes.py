"""One taxonomy of what went wrong in a turn, shared by actions, runtime, log, analytics and simulator.

`Problem` names every code an action tags its reply with (``json_message={"problem": ...}``) and
every reason the home gives for refusing a directive; `FailurePoint` names the pipeline stage a
defective turn failed at. Both are ``str`` enums whose values are the strings the interaction
log, the analytics' JSON, the saved failure-point models and the scenario files already hold, so
a member compares equal to its old string and serialises as it.
"""

from __future__ import annotations

import enum
from typing import Any, NamedTuple


class _StrEnum(str, enum.Enum):
    """A ``str`` enum whose ``str()`` and f-string form is its value (as ``enum.StrEnum``)."""

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)


class Problem(_StrEnum):
    """What an action or the home said went wrong (the value is the code in the log)."""

    # Target resolution (assistant.services.resolution.Unresolved)
    NO_SUCH_DEVICE = "NO_SUCH_DEVICE"
    AMBIGUOUS = "AMBIGUOUS"
    UNSUPPORTED = "UNSUPPORTED"
    NO_TARGET = "NO_TARGET"
    # Media choice (assistant.services.media.MediaProblem)
    NOT_FOUND = "NOT_FOUND"
    NEEDS_SCREEN = "NEEDS_SCREEN"
    NO_SUCH_FORMAT = "NO_SUCH_FORMAT"
    # Weather
    UNKNOWN_CITY = "UNKNOWN_CITY"
    # The home's refusals of a directive (assistant.home.Refusal), and a refusal without a reason
    INVALID_VALUE = "INVALID_VALUE"
    DEVICE_OFF = "DEVICE_OFF"
    ALREADY = "ALREADY"
    REFUSED = "REFUSED"
    # A code this version does not know (a newer action, an old log): kept, never raised on
    OTHER = "OTHER"


class FailurePoint(_StrEnum):
    """The first stage of a defective turn that failed irrecoverably, or ``CORRECT``."""

    FALSE_WAKE = "false_wake"
    ASR = "asr"
    NLU = "nlu"
    ENTITY_RESOLUTION = "entity_resolution"
    RESULT = "result"
    CORRECT = "correct"


FAILURE_POINTS: tuple[str, ...] = tuple(p.value for p in FailurePoint)

# Problems that mean the request's target or value was not resolved (the analytics' rules).
# The others indicate no single stage: the rules read the turn's other signals for them.
_INDICATES: dict[Problem, FailurePoint] = {
    Problem.NO_SUCH_DEVICE: FailurePoint.ENTITY_RESOLUTION,
    Problem.AMBIGUOUS: FailurePoint.ENTITY_RESOLUTION,
    Problem.NO_TARGET: FailurePoint.ENTITY_RESOLUTION,
    Problem.NOT_FOUND: FailurePoint.ENTITY_RESOLUTION,
    Problem.UNKNOWN_CITY: FailurePoint.ENTITY_RESOLUTION,
}
ENTITY_PROBLEMS = frozenset(p for p, point in _INDICATES.items() if point is FailurePoint.ENTITY_RESOLUTION)


def indicated_failure_point(problem: Problem | str) -> FailurePoint | None:
    """The failure point a problem usually indicates, or None when it indicates none by itself."""
    return _INDICATES.get(decode_problem(problem))


def decode_problem(value: Any) -> Problem:
    """The `Problem` a tagged code names; `Problem.OTHER` for anything unknown (never raises)."""
    if isinstance(value, Problem):
        return value
    try:
        return Problem(str(value).strip().upper())
    except ValueError:
        return Problem.OTHER


def decode_failure_point(value: Any) -> FailurePoint | None:
    """The `FailurePoint` a string names, or None when it names none."""
    if isinstance(value, FailurePoint):
        return value
    try:
        return FailurePoint(str(value))
    except ValueError:
        return None


class Refused(NamedTuple):
    """A directive the home refused: ``directive, reason, message = refused`` still unpacks."""

    directive: str
    reason: Problem
    message: str

    @classmethod
    def of(cls, directive: Any, reason: Any, message: Any = "") -> "Refused":
        """A record from raw parts (the reason decoded with `decode_problem`)."""
        return cls(str(directive), decode_problem(reason), str(message))
