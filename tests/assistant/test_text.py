"""Words that sound alike, and the sounds people make while speaking."""

from __future__ import annotations

from assistant.text import sound_key, sounds_like, without_disfluencies


def test_sound_key_is_the_metaphone_of_each_word() -> None:
    assert sound_key("ray gay") == "R K" and sound_key("Reggae") == "RK"


def test_sounds_like_finds_the_run_of_words_that_sounds_like_a_name() -> None:
    text = "i really enjoy ray gay"
    start, end = sounds_like("reggae", text)
    assert text[start:end] == "ray gay"
    assert sounds_like("imagine dragons", text) is None


def test_without_disfluencies_keeps_the_words() -> None:
    assert without_disfluencies("i live in portland, uh oregon") == "i live in portland, oregon"
    assert without_disfluencies("Um, I like jazz") == "I like jazz"
    assert without_disfluencies("uh") == "uh"             # nothing else: kept as said
    assert without_disfluencies("the umbrella") == "the umbrella"


def test_surface_likeness_blends_sound_and_spelling() -> None:
    from assistant.text import SOUND_WEIGHT, SPELLING_WEIGHT, sound_alike, spelling_alike, surface_likeness

    heard, spoken = "war yours", "warriors"
    blended = (SOUND_WEIGHT * sound_alike(heard, spoken) + SPELLING_WEIGHT * spelling_alike(heard, spoken)) \
        / (SOUND_WEIGHT + SPELLING_WEIGHT)
    assert surface_likeness(heard, spoken) == blended
    assert surface_likeness("cold play", "coldplay") == 1.0
    assert surface_likeness(heard, spoken) > surface_likeness("bowls", spoken)
