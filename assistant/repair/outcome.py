"""The typed outcome of an entity repair: which kind of value, what was heard, what it was
taken to mean, how far ahead it was, and which prior decided it.

An action that repairs a value tags its reply with ``Repair.to_json()`` (the structured
message's ``repaired`` key, `assistant.turn.REPAIRED_KEY`); the pipeline keeps it in the turn's
log row (``evidence["repaired"]``) and counts its win or loss when the next turn settles it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from assistant.text import plain
from assistant.turn import REPAIRED_KEY

MAX_VALUE = 80          # a repaired value longer than this is no name: dropped
MAX_HEARD = 80          # nor is a heard span this long


class Kind(str, enum.Enum):
    """What sort of value a repair stands for (the slot the intent expects)."""

    TITLE = "title"
    ARTIST = "artist"
    GENRE = "genre"
    CITY = "city"
    TEAM = "team"
    CUISINE = "cuisine"
    DEVICE = "device"
    ROOM = "room"


class Scope(str, enum.Enum):
    """Which prior decided the repair: the catalogs and everyone's record (global), or this
    user's own history (personal: without it the candidate would not have been clearly ahead)."""

    GLOBAL = "global"
    PERSONAL = "personal"


@dataclass(frozen=True)
class Repair:
    """``heard`` (the words as recognised) taken to mean ``value`` (a catalog or home name)."""

    kind: Kind
    heard: str
    value: str
    score: float
    margin: float
    scope: Scope = Scope.GLOBAL

    @property
    def key(self) -> tuple[str, str, str]:
        """What wins and losses are counted under: (kind, heard words, value)."""
        return (self.kind.value, plain(self.heard), self.value)

    def to_json(self) -> dict[str, Any]:
        """The structured message's entry (``{"repaired": {...}}``)."""
        return {REPAIRED_KEY: self.as_dict()}

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "heard": self.heard, "value": self.value,
                "score": round(self.score, 3), "margin": round(self.margin, 3), "scope": self.scope.value}

    @classmethod
    def decode(cls, raw: Any) -> "Repair | None":
        """From a structured message's or a log row's entry; None when absent or malformed
        (an empty or over-long value, an unknown kind or scope)."""
        if not isinstance(raw, dict):
            return None
        heard, value = raw.get("heard"), raw.get("value")
        if not isinstance(heard, str) or not isinstance(value, str) or not valid_value(value) \
                or not plain(heard) or len(heard) > MAX_HEARD:
            return None
        try:
            kind = Kind(raw.get("kind"))
            scope = Scope(raw.get("scope", Scope.GLOBAL.value))
            score, margin = float(raw.get("score", 0.0)), float(raw.get("margin", 0.0))
        except (TypeError, ValueError):
            return None
        return cls(kind, heard, value, score, margin, scope)


def valid_value(value: str) -> bool:
    """A value a repair may produce: some words, and not over-long."""
    return bool(plain(value)) and len(value) <= MAX_VALUE
