from __future__ import annotations

import pytest

from assistant.analytics.features import catalog_match


@pytest.mark.parametrize(("text", "name", "near_miss"), [
    ("did the lakers win", 1.0, 0.0),             # the name as the catalog has it
    ("weather in seattle please", 1.0, 0.0),      # the words around a name are no near miss
    ("did the lackers win", 0.0, 1.0),            # reads like a team
    ("is it snowing in see at all", 0.0, 1.0),    # sounds like a city, over three words
    ("hey play crazy by green", 0.0, 1.0),        # reads like an artist ("queen")
    ("turn on the kitchen light", 0.0, 0.0),      # device and room words are everyday words
])
def test_catalog_names_and_near_misses(text: str, name: float, near_miss: float) -> None:
    found = catalog_match(text)
    assert (found["catalog_name"], found["catalog_near_miss"]) == (name, near_miss)


def test_a_sound_alike_is_told_from_a_spelling_alike() -> None:
    assert catalog_match("is it snowing in see at all")["catalog_sound_alike"] == 1.0
    assert catalog_match("hey play crazy by green")["catalog_sound_alike"] == 0.0
