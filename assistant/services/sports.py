"""A simulated sports-results service: each team's latest game, the same for the same day."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from assistant.catalog import Team, load_catalog
from assistant.text import closest_spelling, plain, sound_key

# The words of a question about a team that are not its name (what repair and `unknown_team` leave out).
QUESTION_WORDS = frozenset("""
    how did do does doing the a my our team teams win won lose lost what's whats what is was were score scores scored
    of game games match sports sport result results last night yesterday today tonight against play played playing
    tell me about who latest news on in for and with please hey um uh er can you i want to know check give were are
    going get got fare fared look looking update updates final this week weekend their they them recent at by
    who's whos how's hows when next vs versus beat there any much many points up so far
""".split())
# "how did my team do": the user's own team, not one named.
THEIRS = frozenset({"my", "our"})

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


def unknown_team(text: str) -> str | None:
    """The words a question about a team puts where the team's name goes, when they name no team
    the service knows ("what's the score of the lackers game" -> "lackers"); None when a team is
    named, or when the question is about the user's own ("how did my team do")."""
    if team_named(text) is not None:
        return None
    said = plain(text).split()
    if THEIRS & set(said):
        return None
    rest = [w for w in said if w not in QUESTION_WORDS]
    return " ".join(rest) or None


def not_found_message(name: str) -> str:
    """ "I don't know the team "lackers". The closest I know is the Los Angeles Lakers (ask ...)." """
    def sounds(text: str) -> str:   # "sea hocks" sounds like the Seahawks, as one word
        return sound_key(text.replace(" ", ""))

    names = {n: t for t in load_catalog().teams for n in (t.name, t.short)}
    heard = sounds(name)   # "lackers" sounds like the Lakers, though spelt nearer the Packers
    near = next((n for n in names if sounds(n) == heard), None) or closest_spelling(name, names, cutoff=0.6)
    if near is None:
        return f"I don't know the team \"{name}\"."
    team = names[near]
    return (f"I don't know the team \"{name}\". The closest I know is the {team.name} "
            f"(ask \"how did the {team.short} do\").")
