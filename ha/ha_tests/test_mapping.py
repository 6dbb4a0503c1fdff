"""The mapping of Home Assistant entities to our devices, and states both ways (one unit)."""

from __future__ import annotations

import re

from custom_components.smarthome_assistant import mapping
from custom_components.smarthome_assistant.conversation import service_user
from custom_components.smarthome_assistant.mapping import HaEntity, OurDevice, ServiceCall

DEVICES = [
    OurDevice("kitchen_light", "kitchen light", "light", "kitchen", frozenset({"power", "brightness", "color"})),
    OurDevice("living_room_light", "living room light", "light", "living_room", frozenset({"power", "brightness"})),
    OurDevice("living_room_lamp", "reading lamp", "light", "living_room", frozenset({"power"})),
    OurDevice("front_door_lock", "front door lock", "lock", "hallway", frozenset({"locked"})),
    OurDevice("kitchen_speaker", "kitchen speaker", "speaker", "kitchen", frozenset({"playing"}), can_speak=True),
    OurDevice("a_kitchen_clock", "kitchen clock", "alarm_clock", "kitchen", frozenset({"alarms"}), can_speak=True),
    OurDevice("office_clock", "office clock", "alarm_clock", "office", frozenset({"alarms"}), can_speak=True),
]


def test_an_entity_maps_by_its_area_and_domain_or_by_its_name_in_a_crowded_room() -> None:
    built = mapping.build([HaEntity("light.ceiling", "Küche Decke ☃", "Küche"),
                           HaEntity("light.kitchen_main", "Main", "Kitchen"),
                           HaEntity("light.reading_lamp", "Reading lamp", "Living Room"),
                           HaEntity("lock.front", "Front", None)], DEVICES)
    assert built.device_of == {"light.kitchen_main": "kitchen_light", "light.reading_lamp": "living_room_lamp"}
    reasons = dict(built.skipped)
    assert "no light of ours in a room named like area 'Küche'" in reasons["light.ceiling"]
    assert "no area" in reasons["lock.front"]
    assert built.unmapped_devices(DEVICES)[:3] == ["living_room_light", "front_door_lock", "kitchen_speaker"]


def test_odd_or_ambiguous_entities_are_skipped_with_a_reason_never_guessed() -> None:
    built = mapping.build([HaEntity("light.a", "Lamp", "Living Room"),
                           HaEntity("Light.Bad-ID", "x", "Kitchen"),
                           HaEntity("vacuum.robo", "Robo", "Kitchen"),
                           HaEntity("light.kitchen_light", "k", "Kitchen"),
                           HaEntity("light.kitchen_two", "kitchen light", "Kitchen")], DEVICES)
    reasons = dict(built.skipped)
    assert "has 2 of our light devices" in reasons["light.a"]
    assert "not domain.object_id" in reasons["Light.Bad-ID"]
    assert "'vacuum' is not mapped" in reasons["vacuum.robo"]
    assert built.device_of == {"light.kitchen_light": "kitchen_light"}
    assert "already mapped to light.kitchen_light" in reasons["light.kitchen_two"]


def test_our_devices_with_unusable_ids_are_left_out() -> None:
    devices, problems = mapping.our_devices({"devices": [
        {"id": "ok_1", "kind": "light", "room": "r", "state": {"power": "off"}, "capabilities": ["power"]},
        {"id": "../../etc", "kind": "light"}, "junk"]})
    assert [d.id for d in devices] == ["ok_1"] and len(problems) == 2


def test_our_states_become_service_calls() -> None:
    assert mapping.calls_for("light.x", {"power": "on", "brightness": 30, "color": "red"}, ["brightness"]) == [
        ServiceCall("light", "turn_on", {"entity_id": "light.x", "brightness_pct": 30})]
    assert mapping.calls_for("light.x", {"power": "on", "color": "red"}, ["hs"])[0].data["color_name"] == "red"
    assert "color_temp_kelvin" in mapping.calls_for("light.x", {"power": "on", "color": "warm white"},
                                                    ["hs", "color_temp"])[0].data
    assert mapping.calls_for("light.x", {"power": "on", "color": "warm white"}, ["hs"])[0].data == {
        "entity_id": "light.x"}
    assert mapping.calls_for("light.x", {"power": "off", "brightness": 30}) == [
        ServiceCall("light", "turn_off", {"entity_id": "light.x"})]
    assert mapping.calls_for("lock.d", {"locked": False})[0].service == "unlock"
    assert mapping.calls_for("cover.g", {"position": "open"})[0].service == "open_cover"
    assert mapping.calls_for("climate.t", {"target_temperature": 19})[0].data["temperature"] == 19
    assert mapping.calls_for("media_player.s", {"playing": {"title": "jazz"}}) == []


def test_home_assistant_states_become_ours_only_for_keys_the_device_has() -> None:
    keys = frozenset({"power", "brightness"})
    assert mapping.our_state("light.x", "on", {"brightness": 128}, keys) == {"power": "on", "brightness": 50}
    assert mapping.our_state("light.x", "unavailable", {}, keys) == {}
    assert mapping.our_state("lock.d", "unlocked", {}, frozenset({"locked"})) == {"locked": False}
    assert mapping.our_state("lock.d", "jammed", {}, frozenset({"locked"})) == {}
    assert mapping.our_state("climate.t", "heat", {"temperature": 22}, frozenset({"power"})) == {}


def test_a_satellite_speaks_through_a_speaking_device_of_its_room() -> None:
    assert mapping.speaker_in("Kitchen", DEVICES) == "kitchen_speaker"   # a speaker before a clock
    assert mapping.speaker_in("Office", DEVICES) == "office_clock"
    assert mapping.speaker_in("Garage", DEVICES) is None
    assert mapping.speaker_in(None, DEVICES) is None


def test_home_assistant_users_become_distinct_service_ids() -> None:
    zoe, zoe_too = service_user("Zoë", "a" * 32), service_user("Zoé", "b" * 32)
    assert zoe.startswith("zoe-") and zoe_too.startswith("zoe-") and zoe != zoe_too
    assert service_user("Zoë", "a" * 32) == zoe                      # stable
    assert re.fullmatch(r"[A-Za-z0-9_@-]{1,39}", service_user("☃" * 80, "c"))   # the service's id rule
    assert service_user(None, "d").startswith("user-")
