"""Choosing a channel, and where a turn is heard (the device, its room, what plays there)."""

from __future__ import annotations

import pytest

from assistant.home import Home
from simulator.population.asr import AsrChannel
from simulator.population.channel import make_channel, surroundings


def test_the_confusion_table_is_the_fast_channel() -> None:
    assert isinstance(make_channel("confusions", seed=1), AsrChannel)
    with pytest.raises(ValueError):
        make_channel("telepathy", seed=1)


def test_music_or_a_brewing_coffee_maker_makes_the_room_noisy() -> None:
    home = Home.default()
    quiet = surroundings(home, "kitchen_speaker", "u1")
    assert (quiet.room, quiet.device_kind, quiet.media_playing, quiet.appliance_running) == (
        "kitchen", "speaker", False, False)
    assert home.set_state("kitchen_speaker", {"playing": "jazz"}).ok
    assert home.set_state("coffee_maker", {"power": "on", "brewing": True}).ok
    noisy = surroundings(home, "kitchen_speaker", "u1")
    assert noisy.media_playing and noisy.appliance_running
    assert not surroundings(home, "bedroom_speaker", "u1").media_playing   # another room
    assert surroundings(home, "living_room_tv", "u1").device_kind == "tv"


def test_an_unknown_device_is_heard_in_a_quiet_room() -> None:
    where = surroundings(Home.default(), "no_such_device", "u1")
    assert (where.device_id, where.room, where.media_playing) == ("no_such_device", "", False)
