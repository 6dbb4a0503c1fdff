"""Statements about the playing music: which words point at it, polarity, which device wins."""

from __future__ import annotations

import pytest

from assistant.home import Home
from assistant.prefs.keys import Polarity, PrefKey
from assistant.prefs.now_playing import points_at_playing, polarity, taste_for_playing


@pytest.mark.parametrize("text", ["save this song", "I love this track", "thumbs down", "this is my jam",
                                  "I like what's playing", "mark the current song as a favourite",
                                  "great song", "what a lovely tune", "save the song that's on",
                                  "i'm a fan, i love this one", "i love it, great music"])
def test_words_that_point_at_the_playing_music(text: str) -> None:
    assert points_at_playing(text)


@pytest.mark.parametrize("text", ["I like jazz", "turn off that light", "nice weather", "save the date", "great, thanks",
                                  "i really like it alien food",       # "italian", garbled: a cuisine, not the song
                                  "i love that team"])
def test_words_that_do_not(text: str) -> None:
    assert not points_at_playing(text)


@pytest.mark.parametrize("text, want", [("I love this song", Polarity.LIKE), ("I hate this song", Polarity.DISLIKE),
                                        ("thumbs down", Polarity.DISLIKE), ("this track is not my style", Polarity.DISLIKE),
                                        ("don't like this one", Polarity.DISLIKE), ("keep this one", Polarity.LIKE),
                                        ("awful song", Polarity.DISLIKE)])
def test_polarity(text: str, want: Polarity) -> None:
    assert polarity(text) is want


def test_the_speaking_device_then_its_room_then_the_home() -> None:
    home = Home.default()
    speaker = home.devices["kitchen_speaker"]
    others = [d for d in home.devices.values() if "playing" in d.state and d.id != speaker.id]
    assert others, "the default home has more than one media player"
    home.set_state(others[0].id, {"playing": {"title": "jazz", "format": "music"}})
    assert taste_for_playing("save this", home, speaker).value == "jazz"
    home.set_state(speaker.id, {"playing": {"title": "Adele", "format": "music"}})
    taste = taste_for_playing("save this", home, speaker)
    assert (taste.key, taste.value, taste.polarity) == (PrefKey.MUSIC_ARTIST, "Adele", Polarity.LIKE)


def test_films_and_unknown_music_are_not_a_taste() -> None:
    home = Home.default()
    speaker = home.devices["kitchen_speaker"]
    assert taste_for_playing("I love this", home, speaker) is None
    home.set_state(speaker.id, {"playing": {"title": "music", "format": "music"}})
    assert taste_for_playing("I love this", home, speaker) is None
