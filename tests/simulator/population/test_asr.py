"""The ASR channel: rates on a fixed seed, recurring personal confusions, confidence, false wakes."""

from __future__ import annotations

import random

import pytest

from simulator.population.asr import BACKGROUND, CONFUSIONS, Accent, AsrChannel, AsrConfig

QUIET = dict(global_confusion=0.0, personal_confusion=0.0, drop_word=0.0, insert_word=0.0, false_wake=0.0)


def test_a_clean_channel_hears_what_was_said_with_high_confidence() -> None:
    channel = AsrChannel(AsrConfig(**QUIET))
    heard = channel.hear("Play Imagine Dragons", Accent(), random.Random(1))
    assert heard.text == "play imagine dragons"
    assert not heard.damaged
    assert heard.confidence >= 0.9


def test_global_confusion_rate_on_a_fixed_seed() -> None:
    channel = AsrChannel(AsrConfig(**{**QUIET, "global_confusion": 0.2}))
    rng = random.Random(42)
    hits = sum(channel.hear("play imagine dragons", Accent(), rng).text == "play maj and dragons"
               for _ in range(2000))
    assert 0.17 < hits / 2000 < 0.23


def test_drop_and_insert_rates_on_a_fixed_seed() -> None:
    channel = AsrChannel(AsrConfig(**{**QUIET, "drop_word": 0.1, "insert_word": 0.05}))
    rng = random.Random(7)
    said = "set the kitchen light to fifty percent now"  # 8 words
    lengths = [len(channel.hear(said, Accent(), rng).text.split()) for _ in range(2000)]
    mean = sum(lengths) / len(lengths)
    # Expected length: 8 * (1 - 0.1) kept words + 8 * 0.9 * 0.05 inserted = 7.56.
    assert mean == pytest.approx(7.56, abs=0.1)


def test_a_personal_confusion_recurs_for_its_user_only() -> None:
    channel = AsrChannel(AsrConfig(**{**QUIET, "personal_confusion": 0.8}))
    accent = Accent({"thermostat": "thermo stat"})
    rng = random.Random(3)
    mine = [channel.hear("set the thermostat to 20", accent, rng).text for _ in range(500)]
    others = [channel.hear("set the thermostat to 20", Accent(), rng).text for _ in range(500)]
    assert 0.74 < mine.count("set the thermo stat to 20") / 500 < 0.86
    assert all(text == "set the thermostat to 20" for text in others)


def test_confidence_falls_with_damage() -> None:
    channel = AsrChannel(AsrConfig(**{**QUIET, "global_confusion": 1.0}))
    clean = AsrChannel(AsrConfig(**QUIET)).hear("play imagine dragons", Accent(), random.Random(5))
    damaged = channel.hear("play imagine dragons", Accent(), random.Random(5))
    assert damaged.damaged and damaged.confused == ("imagine dragons",)
    assert damaged.confidence < clean.confidence - 0.1


def test_false_wakes_come_at_their_rate_and_from_background_speech() -> None:
    channel = AsrChannel(AsrConfig(false_wake=0.1))
    rng = random.Random(11)
    wakes = [channel.false_wake(rng) for _ in range(3000)]
    fired = [w for w in wakes if w is not None]
    assert 0.085 < len(fired) / 3000 < 0.115
    assert all(w.text in BACKGROUND and w.said == "" for w in fired)


def test_the_same_seed_gives_the_same_noise() -> None:
    channel = AsrChannel()
    accent = Accent({"coffee": "coughy"})
    first = [channel.hear("make me a coffee please", accent, random.Random(s)).text for s in range(50)]
    again = [channel.hear("make me a coffee please", accent, random.Random(s)).text for s in range(50)]
    assert first == again


def test_accents_pick_phrases_the_user_says() -> None:
    channel = AsrChannel(AsrConfig(confusions_per_accent=2))
    accent = channel.accent_for(["coffee", "jazz", "not a known phrase"], random.Random(0))
    assert set(accent.confusions) == {"coffee", "jazz"}
    assert all(accent.confusions[p] in CONFUSIONS[p] for p in accent.confusions)


def test_confusion_keys_are_words_people_say_to_the_assistant() -> None:
    from assistant.catalog import load_catalog
    from simulator.population.goals import TEMPLATES

    catalog = load_catalog()
    vocabulary = " ".join(
        [a.name.lower() for a in catalog.artists] + list(catalog.genres)
        + [t.short.lower() for t in catalog.teams] + [c.name.lower() for c in catalog.cities]
        + list(catalog.cuisines) + [t.title.lower() for t in catalog.titles]
        + [tpl for templates in TEMPLATES.values() for tpl in templates] + ["kitchen bedroom"]
    )
    unknown = [phrase for phrase in CONFUSIONS if phrase not in vocabulary]
    assert unknown == []
