"""A simulated sports-results service: each team's latest game, the same for the same day."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from assistant.catalog import Team, load_catalog
from assistant.text import plain

# (typical winning score range) per sport.
_SCORES = {"basketball": (95, 130), "football": (14, 38), "baseball": (2, 9)}


@dataclass(frozen=True)
class Game:
    """A finished game, from ``team``'s side."""

    team: Team
    opponent: Team
    team_score: int
    opponent_score: int
    date: dt.date

    @property
    def won(self) -> bool:
        return self.team_score > self.opponent_score

    def sentence(self) -> str:
        verb = "beat" if self.won else "lost to"
        high, low = max(self.team_score, self.opponent_score), min(self.team_score, self.opponent_score)
        return f"The {self.team.name} {verb} the {self.opponent.name} {high}-{low} yesterday."


def last_game(team: Team, today: dt.date) -> Game:
    """Yesterday's game for ``team`` against another team of its sport (deterministic)."""
    rivals = [t for t in load_catalog().teams if t.sport == team.sport and t.name != team.name]
    day = today - dt.timedelta(days=1)
    seed = int(hashlib.sha256(f"{team.name}|{day.isoformat()}".encode()).hexdigest(), 16)
    low, high = _SCORES.get(team.sport, (1, 5))
    winner = low + seed % (high - low + 1)
    loser = max(0, winner - 1 - (seed >> 12) % max(2, (high - low) // 3))
    won = (seed >> 24) % 2 == 0
    return Game(team, rivals[(seed >> 32) % len(rivals)], *((winner, loser) if won else (loser, winner)), day)


def team_named(text: str) -> Team | None:
    """A catalog team named in the text by full or short name ("the Warriors"), or None."""
    words = f" {plain(text)} "
    best: Team | None = None
    for team in load_catalog().teams:
        for name in (team.name, team.short):
            if f" {plain(name)} " in words and (best is None or len(team.name) > len(best.name)):
                best = team
    return best


def team_by_name(name: str) -> Team | None:
    """The catalog team with this full name."""
    return next((t for t in load_catalog().teams if t.name == name), None)
