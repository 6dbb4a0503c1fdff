"""The project's catalogs: one source of truth for device words, media, places and interests.

The data lives in ``assistant/catalogs/*.yml``; this module loads it once, on first use.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

CATALOG_DIR = Path(__file__).parent / "catalogs"


@dataclass(frozen=True)
class MediaTitle:
    """A title and the formats it exists in (film, audiobook, podcast)."""

    title: str
    formats: tuple[str, ...]


@dataclass(frozen=True)
class Artist:
    """A music artist and their genre."""

    name: str
    genre: str


@dataclass(frozen=True)
class City:
    """A city the weather service knows; ``region`` tells same-name cities apart."""

    name: str
    region: str
    climate: str

    @property
    def label(self) -> str:
        return f"{self.name}, {self.region}"


@dataclass(frozen=True)
class Team:
    """A sports team, with the short name fans use."""

    name: str
    short: str
    sport: str


@dataclass(frozen=True)
class Catalog:
    """Every catalog the project uses."""

    device_words: dict[str, tuple[str, ...]]
    room_words: dict[str, tuple[str, ...]]
    colors: tuple[str, ...]
    titles: tuple[MediaTitle, ...]
    artists: tuple[Artist, ...]
    genres: tuple[str, ...]
    cities: tuple[City, ...]
    home_city: str
    teams: tuple[Team, ...]
    cuisines: tuple[str, ...]
    restaurants: dict[str, tuple[str, ...]]
    news_sources: tuple[str, ...]
    temperature_units: tuple[str, ...]

    def device_kind_for(self, words: str) -> str | None:
        """The device kind a phrase names ("lights" -> "light"), or None."""
        phrase = _norm(words)
        for kind, names in self.device_words.items():
            if phrase in names:
                return kind
        for kind, names in self.device_words.items():
            if any(name in phrase.split() or (" " in name and name in phrase) for name in names):
                return kind
        return None

    def room_for(self, words: str) -> str | None:
        """The room id a phrase names ("lounge" -> "living_room"), or None."""
        phrase = _norm(words).replace("_", " ")
        for room, names in self.room_words.items():
            if phrase in names or phrase == room.replace("_", " "):
                return room
        for room, names in self.room_words.items():
            if any(name in phrase for name in names):
                return room
        return None

    def cities_named(self, name: str) -> list[City]:
        """All cities with this name (several when the name is ambiguous)."""
        wanted = _norm(name)
        return [c for c in self.cities if _norm(c.name) == wanted]


def _norm(text: str) -> str:
    return " ".join(text.lower().replace("-", " ").split())


def _read(name: str) -> dict[str, Any]:
    with (CATALOG_DIR / name).open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict):
        raise ValueError(f"catalog {name} is not a mapping")
    return data


@functools.lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    """Load every catalog (cached: the files ship with the package and do not change)."""
    devices = _read("devices.yml")
    media = _read("media.yml")
    places = _read("places.yml")
    interests = _read("interests.yml")
    return Catalog(
        device_words={k: tuple(v["words"]) for k, v in devices["kinds"].items()},
        room_words={k: tuple(v) for k, v in devices["rooms"].items()},
        colors=tuple(_read("colors.yml")["colors"]),
        titles=tuple(MediaTitle(t["title"], tuple(t["formats"])) for t in media["titles"]),
        artists=tuple(Artist(a["name"], a["genre"]) for a in media["artists"]),
        genres=tuple(media["genres"]),
        cities=tuple(City(c["name"], c["region"], c["climate"]) for c in places["cities"]),
        home_city=places["home_city"],
        teams=tuple(Team(t["name"], t["short"], t["sport"]) for t in interests["teams"]),
        cuisines=tuple(interests["cuisines"]),
        restaurants={k: tuple(v) for k, v in interests["restaurants"].items()},
        news_sources=tuple(interests["news_sources"]),
        temperature_units=tuple(interests["temperature_units"]),
    )
