"""The vocabulary of preferences: which keys exist, their polarity and where they came from."""

from __future__ import annotations

import enum


class PrefKey(str, enum.Enum):
    """A preference category. The value's string is what the store and scenario files use."""

    MUSIC_GENRE = "music_genre"
    MUSIC_ARTIST = "music_artist"
    SPORTS_TEAM = "sports_team"
    CUISINE = "cuisine"
    HOME_CITY = "home_city"
    TEMPERATURE_UNIT = "temperature_unit"
    NEWS_SOURCE = "news_source"
    MORNING_ROUTINE = "morning_routine"

    @property
    def label(self) -> str:
        """Words for replies: "music genre", "home city"."""
        return LABELS[self]

    @property
    def single_valued(self) -> bool:
        """True when a new liked value replaces the old one (one home city, one unit)."""
        return self in SINGLE_VALUED

    @classmethod
    def parse(cls, text: str) -> "PrefKey":
        """The key named by ``text`` ("music_genre", "music genre"); ValueError if none."""
        wanted = text.strip().lower().replace(" ", "_").replace("-", "_")
        for key in cls:
            if key.value == wanted:
                return key
        raise ValueError(f"unknown preference key {text!r}; known: {', '.join(k.value for k in cls)}")


class Polarity(str, enum.Enum):
    """Whether the user likes or dislikes the value."""

    LIKE = "like"
    DISLIKE = "dislike"


class Source(str, enum.Enum):
    """How a preference was learnt."""

    QA = "qa"                    # the guided Q&A ("learn my preferences")
    STATEMENT = "statement"      # said in passing: "I'm a Warriors fan"
    ASSISTANT = "assistant"      # the user's answer to an assistant-initiated offer
    IMPLICIT = "implicit"        # inferred from behaviour


# Routines the assistant can run; the value stored for MORNING_ROUTINE.
COFFEE_AFTER_ALARM = "coffee after the alarm"
NO_ROUTINE = "none"
MORNING_ROUTINES = (COFFEE_AFTER_ALARM, NO_ROUTINE)

SINGLE_VALUED = frozenset({
    PrefKey.SPORTS_TEAM, PrefKey.HOME_CITY, PrefKey.TEMPERATURE_UNIT,
    PrefKey.NEWS_SOURCE, PrefKey.MORNING_ROUTINE,
})

LABELS = {
    PrefKey.MUSIC_GENRE: "music genre",
    PrefKey.MUSIC_ARTIST: "artist",
    PrefKey.SPORTS_TEAM: "team",
    PrefKey.CUISINE: "cuisine",
    PrefKey.HOME_CITY: "home city",
    PrefKey.TEMPERATURE_UNIT: "temperature unit",
    PrefKey.NEWS_SOURCE: "news source",
    PrefKey.MORNING_ROUTINE: "morning routine",
}
