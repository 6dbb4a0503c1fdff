"""Taste about what is playing: "save this song", "I love this track", "not this artist again".

The words name no value; the home does. A statement that points at the music playing (on the
speaking device, else in its room, else anywhere in the home) becomes a preference for that
music's artist, or its genre. Polarity comes from the same cues as other statements.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.prefs.keys import Polarity, PrefKey

if TYPE_CHECKING:
    from assistant.home import Device, Home

# The kinds of taste whose category words tell a statement about music from one about something else.
TASTE_KINDS = (PrefKey.MUSIC_GENRE, PrefKey.MUSIC_ARTIST, PrefKey.SPORTS_TEAM, PrefKey.CUISINE, PrefKey.HOME_CITY)
MEDIA_NOUNS = r"(?:song|songs|track|tune|music|artist|band|singer|album|record|one|stuff|station)"
POINTS_AT_PLAYING = re.compile(
    rf"\b(?:this|that|these|the current|current|the playing)\s+{MEDIA_NOUNS}\b"
    r"|\bwhat'?s (?:playing|on)\b|\bwhat (?:is|you'?re) playing\b"
    r"|\b(?:save|favou?rite|bookmark|keep|like|love|liked|loved|adore|dig|hate|dislike)\s+(?:it|this|that)\b"
    r"|\b(?:thumbs (?:up|down))\b|\bthis is (?:great|awful|terrible|good|bad|my jam)\b"
    rf"|\bthe {MEDIA_NOUNS} (?:that'?s |that is )?(?:on|playing)\b"
    # A verdict on its own: "great song", "what a lovely tune".
    r"|^\s*(?:what an? |such an? )?(?:great|good|nice|lovely|awesome|amazing|beautiful|brilliant|awful|terrible"
    rf"|bad|horrible|boring|annoying)\s+{MEDIA_NOUNS}\b")
NEGATIVE = re.compile(
    r"\b(?:hate|hated|dislike|disliked|can'?t stand|cannot stand|not a fan|don'?t (?:like|love|enjoy|want)"
    r"|do not (?:like|love|enjoy)|never (?:play|again)|thumbs down|awful|terrible|horrible|rubbish"
    r"|annoying|boring|sucks|worst|garbage|not (?:for me|my thing|my style)|enough of)\b")


@dataclass(frozen=True)
class PlayingTaste:
    """A preference for the playing music: ``key`` and ``value`` to store, liked or not."""

    key: PrefKey
    value: str
    polarity: Polarity
    device_name: str


def points_at_playing(text: str) -> bool:
    """True when the words refer to what is playing rather than name a value. Words that name
    another kind of taste and no music ("i really like it alien food": "it" is a garbled
    "italian") point at no music."""
    from assistant.prefs.heard import keys_named

    if not POINTS_AT_PLAYING.search(text.lower()):
        return False
    named = keys_named(text, TASTE_KINDS)
    return len(named) == len(TASTE_KINDS) or bool({PrefKey.MUSIC_GENRE, PrefKey.MUSIC_ARTIST} & set(named))


def polarity(text: str) -> Polarity:
    """Dislike for "I hate this song", "thumbs down", "not my thing"; like otherwise."""
    return Polarity.DISLIKE if NEGATIVE.search(text.lower()) else Polarity.LIKE


def playing_music(home: "Home", speaking: "Device") -> tuple[str, "Device"] | None:
    """The music playing nearest the speaker (its own device, its room, the home), or None."""
    players = [d for d in home.devices.values() if _music(d) is not None]
    players.sort(key=lambda d: (d.id != speaking.id, d.room != speaking.room, d.id))
    if not players:
        return None
    title = _music(players[0])
    assert title is not None
    return title, players[0]


def taste_for_playing(text: str, home: "Home", speaking: "Device") -> PlayingTaste | None:
    """The preference a statement about the playing music means, or None (nothing playing,
    or music the catalogs don't know, e.g. the default "music")."""
    from assistant.catalog import load_catalog

    found = playing_music(home, speaking)
    if found is None:
        return None
    title, device = found
    catalog = load_catalog()
    wanted = title.strip().lower()
    for artist in catalog.artists:
        if artist.name.lower() == wanted:
            return PlayingTaste(PrefKey.MUSIC_ARTIST, artist.name, polarity(text), device.name)
    for genre in catalog.genres:
        if genre.lower() == wanted:
            return PlayingTaste(PrefKey.MUSIC_GENRE, genre, polarity(text), device.name)
    return None


def _music(device: "Device") -> str | None:
    playing = (device.state or {}).get("playing")
    if isinstance(playing, dict) and playing.get("format") == "music" and playing.get("title"):
        return str(playing["title"])
    return None
