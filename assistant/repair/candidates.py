"""Where repair looks for what a heard value might have been: the catalogs
(`assistant.catalog.load_catalog`, the one source of truth) and the home's own names.

Every name is read through `assistant.text.plain`, so a catalog or home name with odd
characters ("AC/DC", "Luigi's", a device called "TV #2") is compared by its words only; a name
with no words left, or too long to be a name, is never a candidate.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from assistant.catalog import load_catalog
from assistant.repair.outcome import MAX_VALUE, Kind
from assistant.text import plain

if TYPE_CHECKING:
    from assistant.home import Home


@dataclass(frozen=True)
class Candidate:
    """One value repair may choose: its ``kind``, the ``value`` the action needs (a catalog
    name, a room id, a device kind) and ``spoken``, the words it is said with (compared)."""

    kind: Kind
    value: str
    spoken: str


def candidates(kinds: Iterable[Kind], home: "Home | None" = None) -> list[Candidate]:
    """The candidates of these kinds (catalog ones, then the home's own names), each spoken
    form once per kind."""
    found: list[Candidate] = []
    for kind in kinds:
        found.extend(_catalog(kind))
        if home is not None:
            found.extend(_home(kind, home))
    seen: set[tuple[Kind, str]] = set()
    unique = []
    for candidate in found:
        if (candidate.kind, candidate.spoken) not in seen:
            seen.add((candidate.kind, candidate.spoken))
            unique.append(candidate)
    return unique


@functools.lru_cache(maxsize=None)
def _catalog(kind: Kind) -> tuple[Candidate, ...]:
    catalog = load_catalog()
    pairs: list[tuple[str, str]] = []
    if kind is Kind.TITLE:
        pairs = [(t.title, t.title) for t in catalog.titles]
        # "the hunger games" is said without its article as often as with it.
        pairs += [(t.title, t.title[4:]) for t in catalog.titles if t.title.lower().startswith("the ")]
    elif kind is Kind.ARTIST:
        pairs = [(a.name, a.name) for a in catalog.artists]
    elif kind is Kind.GENRE:
        pairs = [(g, g) for g in catalog.genres]
    elif kind is Kind.CITY:
        pairs = [(c.name, c.name) for c in catalog.cities]
    elif kind is Kind.TEAM:
        pairs = [(t.name, spoken) for t in catalog.teams for spoken in (t.name, t.short)]
    elif kind is Kind.CUISINE:
        pairs = [(c, c) for c in catalog.cuisines]
    elif kind is Kind.DEVICE:
        pairs = [(k, w) for k, words in catalog.device_words.items() for w in words]
    elif kind is Kind.ROOM:
        pairs = [(r, w) for r, words in catalog.room_words.items() for w in (r.replace("_", " "), *words)]
    return tuple(c for value, spoken in pairs if (c := _candidate(kind, value, spoken)) is not None)


def _home(kind: Kind, home: "Home") -> tuple[Candidate, ...]:
    """The home's own names: its devices' names and aliases (as their kind), its rooms."""
    names = tuple((d.kind.value, d.room, (d.name, *d.aliases)) for d in home.devices.values())
    return _home_names(kind, names)


@functools.lru_cache(maxsize=64)
def _home_names(kind: Kind, names: tuple[tuple[str, str, tuple[str, ...]], ...]) -> tuple[Candidate, ...]:
    found: list[Candidate | None] = []
    if kind is Kind.DEVICE:
        found = [_candidate(kind, device_kind, str(name)) for device_kind, _, spoken in names for name in spoken]
    elif kind is Kind.ROOM:
        found = [_candidate(kind, room, room.replace("_", " ")) for _, room, _ in names]
    return tuple(c for c in found if c is not None)


def _candidate(kind: Kind, value: str, spoken: str) -> Candidate | None:
    words = plain(spoken)
    if not words or not plain(value) or len(value) > MAX_VALUE or len(words) > MAX_VALUE:
        return None
    return Candidate(kind, value, words)
