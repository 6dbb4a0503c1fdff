"""Where candidates come from, and how alike heard words and a candidate are."""

from __future__ import annotations

from assistant.home import Home
from assistant.repair.candidates import candidates
from assistant.repair.outcome import MAX_VALUE, Kind, Repair, Scope, valid_value
from assistant.repair.scoring import score
from assistant.text import sound_alike as sound
from assistant.text import spelling_alike as spelling


def test_catalog_candidates_by_kind() -> None:
    values = {c.value for c in candidates((Kind.ARTIST,))}
    assert "Imagine Dragons" in values and all(c.kind is Kind.ARTIST for c in candidates((Kind.ARTIST,)))
    spoken = {c.spoken for c in candidates((Kind.TITLE,))}
    assert {"the hunger games", "hunger games"} <= spoken   # with and without the article


def test_home_names_are_candidates_with_odd_characters_made_safe() -> None:
    home = Home.default()
    device = next(iter(home.devices.values()))
    device.aliases = ("Lamp #2 (big)!", "???", "x" * (MAX_VALUE + 5))
    spoken = {c.spoken for c in candidates((Kind.DEVICE,), home)}
    assert "lamp 2 big" in spoken and "" not in spoken and not any(len(s) > MAX_VALUE for s in spoken)


def test_sound_and_spelling_see_split_and_joined_words() -> None:
    assert sound("cold play", "coldplay") == 1.0 and spelling("cold play", "coldplay") == 1.0
    assert sound("maj and dragons", "imagine dragons") > sound("maj and dragons", "norah jones")
    assert sound("!!", "jazz") == 0.0


def test_score_ranks_best_first_and_meaning_weighs_in_only_when_given() -> None:
    pool = candidates((Kind.GENRE,))
    plain = score("jas", pool)
    assert plain[0].candidate.value == "jazz" and plain[0].meaning is None
    calls: list[int] = []

    def meaning(pairs):  # type: ignore[no-untyped-def]
        calls.append(len(pairs))
        return [1.0 if b == "jazz" else 0.0 for _, b in pairs]

    weighed = score("jas", pool, meaning)
    assert calls == [3] and weighed[0].candidate.value == "jazz" and weighed[0].meaning == 1.0


def test_repair_round_trips_and_bad_ones_are_dropped() -> None:
    repair = Repair(Kind.ARTIST, "maj and dragons", "Imagine Dragons", 0.8, 0.27, Scope.PERSONAL)
    assert Repair.decode(repair.to_json()["repaired"]) == Repair(Kind.ARTIST, "maj and dragons", "Imagine Dragons",
                                                                 0.8, 0.27, Scope.PERSONAL)
    assert repair.key == ("artist", "maj and dragons", "Imagine Dragons")
    for bad in ({**repair.as_dict(), "value": ""}, {**repair.as_dict(), "value": "x" * (MAX_VALUE + 1)},
                {**repair.as_dict(), "kind": "planet"}, {**repair.as_dict(), "score": "high"}, "nonsense", None):
        assert Repair.decode(bad) is None
    assert not valid_value("  ") and valid_value("Adele")
