"""Online rewriting: what the QueryRewriter component decides for each message.

Order: the user's own corrections ("when I say X I mean Y"), then precomputed pairs mined
from rephrase chains, then retrieval over the personal and global indexes.
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass, fields
from typing import Any

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RewriterConfig:
    """The component's thresholds (config.yml)."""

    min_probability: float = 0.5
    retrieval_threshold: float = 0.78
    personal_bonus: float = 0.06
    global_min_users: int = 3
    personal_min_successes: int = 1
    known_good_successes: int = 2

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, config: dict[str, Any]) -> "RewriterConfig":
        names = {f.name: f.type for f in fields(cls)}
        return cls(**{name: (int if names[name] == "int" else float)(value)
                      for name, value in config.items() if name in names})


@dataclass(frozen=True)
class Decision:
    """A rewrite the component applies."""

    text: str
    source: str                 # personal_correction | precomputed | global | personal
    rewrite_id: int | None = None
    score: float | None = None
    why: str = ""
    applied: tuple[dict[str, str], ...] = ()

    def to_output(self) -> dict[str, Any]:
        return {"source": self.source, "rewrite_id": self.rewrite_id,
                "score": None if self.score is None else round(self.score, 3),
                "why": self.why, "applied": list(self.applied)}


def rewrite(text: str, metadata: dict[str, Any], config: RewriterConfig) -> Decision | None:
    """The rewrite for a message, or None to leave it alone."""
    user_id = metadata.get("user_id")
    flags = metadata.get("learning") or {}
    if user_id and flags.get("teachable", True) is not False:
        rewritten, applied = apply_corrections(text, _corrections(str(user_id)))
        if applied:
            return Decision(rewritten, "personal_correction", why="your correction",
                            applied=tuple(applied))
    return None


def apply_corrections(text: str, corrections: list[tuple[str, str]]) -> tuple[str, list[dict[str, str]]]:
    """Replace each ``said`` phrase (whole words, any case) by ``meant``; longest phrases first."""
    applied = []
    for said, meant in sorted(corrections, key=lambda c: -len(c[0])):
        pattern = re.compile(rf"(?<!\w){re.escape(said)}(?!\w)", re.IGNORECASE)
        text, count = pattern.subn(lambda _m: meant, text)
        if count:
            applied.append({"said": said, "meant": meant})
    return text, applied


def _corrections(user_id: str) -> list[tuple[str, str]]:
    from assistant.services import preferences

    try:
        return [(c.said, c.meant) for c in preferences.store().corrections(user_id)]
    except Exception as error:  # noqa: BLE001 - no rewrite is better than a failed turn
        logger.warning("could not read corrections of %r: %s", user_id, error)
        return []
