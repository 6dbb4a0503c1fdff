"""Rasa lookup tables built from the catalogs, for RegexFeaturizer and RegexEntityExtractor.

The catalogs in ``assistant/catalogs`` are the one source of truth; ``stories/nlu/lookups.yml``
is generated from them and committed (a test checks that it is up to date)::

    .venv/bin/python -m assistant.catalog_lookups          # rewrite stories/nlu/lookups.yml
    .venv/bin/python -m assistant.catalog_lookups --check  # exit 1 when it is stale

A lookup table tags every occurrence of its words, whatever the sentence means, so words
that often mean something else are left to the CRF, which reads the context: a word that
names both a device and a room ("garage"), device words that are also verbs or everyday
nouns ("lock the door", "heat the oven", "make a coffee", "set an alarm"), and a region
that is also a city's name ("New York").
"""

from __future__ import annotations

import argparse
import enum
import sys
from collections.abc import Iterable
from pathlib import Path

from assistant.catalog import Catalog, load_catalog
from assistant.paths import PROJECT_ROOT

LOOKUP_FILE = PROJECT_ROOT / "stories" / "nlu" / "lookups.yml"

# Device words that are verbs or everyday nouns in other requests.
AMBIGUOUS_DEVICE_WORDS = frozenset({"heat", "lock", "coffee", "alarm", "screen"})


class LookupEntity(str, enum.Enum):
    """The entities that get a lookup table (each table is named after its entity)."""

    DEVICE = "device"
    ROOM = "room"
    COLOR = "color"
    MEDIA_TITLE = "media_title"
    ARTIST = "artist"
    GENRE = "genre"
    CITY = "city"
    REGION = "region"


def _unique(words: Iterable[str]) -> list[str]:
    """Distinct words (case-insensitive), first spelling kept, sorted for stable output."""
    seen: dict[str, str] = {}
    for word in words:
        key = " ".join(word.lower().split())
        if key and key not in seen:
            seen[key] = " ".join(word.split())
    return sorted(seen.values(), key=str.lower)


def lookup_tables(catalog: Catalog) -> dict[LookupEntity, list[str]]:
    """The words of each lookup table, from the catalogs, minus the ambiguous ones."""
    device = {w.lower() for ws in catalog.device_words.values() for w in ws}
    room = {w.lower() for ws in catalog.room_words.values() for w in ws}
    room |= {r.replace("_", " ") for r in catalog.room_words}
    both = device & room
    titles: list[str] = []
    for title in catalog.titles:
        titles.append(title.title)
        if title.title.lower().startswith("the "):
            titles.append(title.title[4:])
    cities = {c.name for c in catalog.cities}
    return {
        LookupEntity.DEVICE: _unique(w for w in device if w not in both | AMBIGUOUS_DEVICE_WORDS),
        LookupEntity.ROOM: _unique(w for w in room if w not in both),
        LookupEntity.COLOR: _unique(catalog.colors),
        LookupEntity.MEDIA_TITLE: _unique(titles),
        LookupEntity.ARTIST: _unique(a.name for a in catalog.artists),
        LookupEntity.GENRE: _unique(catalog.genres),
        LookupEntity.CITY: _unique(cities),
        LookupEntity.REGION: _unique(c.region for c in catalog.cities if c.region not in cities),
    }


def render(tables: dict[LookupEntity, list[str]]) -> str:
    """The lookups file's YAML text."""
    lines = [
        "# Generated from assistant/catalogs by `python -m assistant.catalog_lookups`; do not edit.",
        "# Ambiguous words are left out on purpose (see assistant/catalog_lookups.py).",
        'version: "3.1"',
        "",
        "nlu:",
    ]
    for entity, words in tables.items():
        lines.append(f"- lookup: {entity.value}")
        lines.append("  examples: |")
        lines.extend(f"    - {word}" for word in words)
    return "\n".join(lines) + "\n"


def expected_text() -> str:
    """What ``stories/nlu/lookups.yml`` must hold for today's catalogs."""
    return render(lookup_tables(load_catalog()))


def main(argv: list[str] | None = None) -> int:
    """Write the lookups file, or with ``--check`` report whether it is stale (exit 1)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the committed file is stale")
    parser.add_argument("--out", type=Path, default=LOOKUP_FILE)
    args = parser.parse_args(argv)
    text = expected_text()
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is out of date; run `python -m assistant.catalog_lookups`", file=sys.stderr)
            return 1
        return 0
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
