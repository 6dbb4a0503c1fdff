"""Repair decisions: sound, spelling, priors, and the bars a repair must clear."""

from __future__ import annotations

import pytest

from assistant.learning.rewrite_records import GLOBAL, State
from assistant.repair.candidates import Candidate, candidates
from assistant.repair.decide import Thresholds, decide
from assistant.repair.outcome import Kind, Scope
from assistant.repair.priors import History, Priors
from assistant.repair.store import RepairRecord

MEDIA = candidates((Kind.TITLE, Kind.ARTIST, Kind.GENRE))
GLOBAL_ONLY = Priors(global_on=True, personal_on=False, user_id="ann")


@pytest.mark.parametrize("heard, value", [
    ("maj and dragons", "Imagine Dragons"),
    ("cold play", "Coldplay"),
    ("tailor swift", "Taylor Swift"),
    ("hunger gains", "The Hunger Games"),
    ("hiphop", "hip hop"),
    ("deaf punk", "Daft Punk"),
])
def test_misheard_media_names_are_repaired(heard: str, value: str) -> None:
    repair = decide(heard, MEDIA, GLOBAL_ONLY)
    assert repair is not None and repair.value == value and repair.scope is Scope.GLOBAL
    assert repair.margin >= Thresholds().min_margin


@pytest.mark.parametrize("heard", ["the beatles", "harry potter", "frozen", "metallica", "green", "break",
                                   "something relaxing", "xx", "", "a" * 200])
def test_names_not_in_the_catalog_are_left_alone(heard: str) -> None:
    assert decide(heard, MEDIA, GLOBAL_ONLY) is None


def test_a_value_that_is_already_a_name_is_not_repaired() -> None:
    assert decide("coldplay", MEDIA, GLOBAL_ONLY) is None


def test_nothing_is_repaired_with_both_switches_off() -> None:
    off = Priors(global_on=False, personal_on=False, user_id="ann")
    assert decide("maj and dragons", MEDIA, off) is None


def test_two_forms_of_one_value_do_not_compete() -> None:
    teams = candidates((Kind.TEAM,))
    repair = decide("see hawks", teams, GLOBAL_ONLY)   # "seahawks" and "seattle seahawks" are one team
    assert repair is not None and repair.value == "Seattle Seahawks"


def test_close_runners_up_mean_no_repair() -> None:
    pool = [Candidate(Kind.ARTIST, "Blues Band", "blues band"), Candidate(Kind.ARTIST, "Bluez Band", "bluez band")]
    assert decide("blue band", pool, GLOBAL_ONLY) is None


def test_the_personal_prior_lifts_the_users_own_value_past_the_bar() -> None:
    pool = candidates((Kind.GENRE,))
    assert decide("ray gay", pool, GLOBAL_ONLY) is None        # just under the bar on sound and spelling
    mine = Priors(global_on=True, personal_on=True, user_id="ann",
                  history=History.of({Kind.GENRE: ["reggae"]}))
    repair = decide("ray gay", pool, mine)
    assert repair is not None and repair.value == "reggae" and repair.scope is Scope.PERSONAL


def test_personal_alone_repairs_only_to_the_users_own_values() -> None:
    only_mine = Priors(global_on=False, personal_on=True, user_id="ann",
                       history=History.of({Kind.ARTIST: ["Taylor Swift"]}))
    assert decide("tailor swift", MEDIA, only_mine).value == "Taylor Swift"  # type: ignore[union-attr]
    assert decide("maj and dragons", MEDIA, only_mine) is None


def test_a_retired_repair_is_not_applied() -> None:
    retired = RepairRecord(GLOBAL, "artist", "maj and dragons", "Imagine Dragons", 1, 3, State.RETIRED)
    priors = Priors(global_on=True, personal_on=False, user_id="ann", records=(retired,))
    assert decide("maj and dragons", MEDIA, priors) is None


def test_retired_for_one_user_is_still_applied_for_others() -> None:
    theirs = RepairRecord("bob", "artist", "maj and dragons", "Imagine Dragons", 0, 3, State.RETIRED)
    for user, expected in (("bob", None), ("ann", "Imagine Dragons")):
        priors = Priors(global_on=True, personal_on=True, user_id=user, records=(theirs,))
        repair = decide("maj and dragons", MEDIA, priors)
        assert (repair.value if repair else None) == expected


def test_odd_characters_in_catalog_or_home_names_are_matched_safely() -> None:
    pool = [Candidate(Kind.ARTIST, "AC/DC", "ac dc"), Candidate(Kind.ARTIST, "Imagine Dragons", "imagine dragons")]
    repair = decide("a c d c!!", pool, GLOBAL_ONLY)
    assert repair is not None and repair.value == "AC/DC"
    assert decide("(((", pool, GLOBAL_ONLY) is None


def test_the_speaking_rooms_devices_and_room_are_lifted() -> None:
    pool = [Candidate(Kind.DEVICE, "oven", "oven"), Candidate(Kind.DEVICE, "tv", "telly")]
    far = Priors(global_on=True, personal_on=False, user_id="ann")
    near = Priors(global_on=True, personal_on=False, user_id="ann", room="kitchen", nearby=frozenset({"oven"}))
    assert decide("ovens", pool, far) is None                 # just under the bar for one short word
    lifted = decide("ovens", pool, near)                       # an oven in the speaker's room lifts it over
    assert lifted is not None and lifted.value == "oven"
    assert lifted.score == pytest.approx(0.87 + 0.03, abs=0.01)
    rooms = [Candidate(Kind.ROOM, "kitchen", "kitchen"), Candidate(Kind.ROOM, "office", "office")]
    assert decide("kit chin", rooms, near).score > decide("kit chin", rooms, far).score  # type: ignore[union-attr]
