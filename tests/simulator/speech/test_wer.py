"""Word errors: alignment counts and the kind of word each error hit."""

from __future__ import annotations

from simulator.speech.wer import WordErrors, speech_figures, word_class


def test_substitutions_deletions_and_insertions_are_counted() -> None:
    errors = WordErrors()
    assert errors.add("turn off the bedroom lamp", "turn on the bedroom land") == 2
    assert errors.add("play some jazz", "play jazz") == 1
    assert errors.add("stop", "stop uh") == 1
    assert errors.add("set an alarm for 7:30 am", "set an alarm for seven thirty am") == 0
    assert (errors.substitutions, errors.deletions, errors.insertions) == (2, 1, 1)
    assert errors.words == 5 + 3 + 1 + 7
    assert errors.rate == round(4 / 16, 4)
    assert errors.with_error == 3


def test_each_error_is_put_in_the_class_of_the_word_it_hit() -> None:
    errors = WordErrors()
    errors.add("turn off the bedroom lamp", "turn on the bedroom land")
    errors.add("dim to thirty percent", "dim to forty percent")
    assert errors.hits["action"] == 1          # off -> on
    assert errors.hits["number"] == 1          # thirty -> forty
    assert word_class("the") == "function"
    assert word_class("coldplay") == "entity"
    assert word_class("bedroom") == "entity"


def test_figures_per_device_and_per_user_decile() -> None:
    pairs = [(f"u{i}", "kitchen_speaker" if i % 2 else "living_room_tv", "play some jazz",
              "play some jazz" if i < 10 else "play sun chaz") for i in range(20)]
    figures = speech_figures(pairs)
    assert figures["word_error_rate"] == round(20 / 60, 4)
    assert figures["utterances_with_error"] == 0.5
    assert figures["by_user_decile"][0] == 0.0 and figures["by_user_decile"][-1] == round(2 / 3, 4)
    assert set(figures["by_device"]) == {"kitchen_speaker", "living_room_tv"}
