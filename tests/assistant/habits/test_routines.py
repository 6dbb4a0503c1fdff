"""Routine mining on small hand-made timelines whose answer is known."""

from __future__ import annotations

import datetime as dt

from assistant.habits.routines import ALARM, Activity, RoutineConfig, coffee_after_alarm, item_of, mine, timeline
from tests.assistant.habits.helpers import START, alarm, turn

DAY = dt.timedelta(days=1)
MIN = dt.timedelta(minutes=1)


def mornings(user: str, days: int, coffee_days: set[int]) -> list:
    rows = []
    for d in range(days):
        rang = START + d * DAY
        rows.append(turn(user, rang + 2 * MIN, "what time is it", intent="ask_time", events=(alarm(rang),)))
        if d in coffee_days:
            rows.append(turn(user, rang + 8 * MIN, "start brewing", intent="start_coffee",
                             directives=("brew coffee_maker",), events=(alarm(rang),)))
    return rows


def test_coffee_after_the_alarm_is_mined_with_support_and_confidence() -> None:
    routines = mine(timeline(mornings("ann", 5, {0, 1, 2, 4})))
    found = coffee_after_alarm(routines, "ann")
    assert found is not None
    assert (found.first, found.then, found.support, found.confidence) == (ALARM, "brew coffee_maker", 4, 0.8)
    assert found.delay_minutes == 8.0


def test_below_the_thresholds_nothing_is_mined() -> None:
    assert coffee_after_alarm(mine(timeline(mornings("ann", 5, {0, 3}))), "ann") is None
    assert coffee_after_alarm(mine(timeline(mornings("ann", 3, {0, 1, 2})),
                                   RoutineConfig(min_support=4)), "ann") is None


def test_an_event_seen_by_several_turns_counts_once() -> None:
    rows = mornings("ann", 1, {0})
    rows.append(turn("ann", START + 9 * MIN, "thanks", intent="thank", events=(alarm(START),)))
    assert [a.item for a in timeline(rows)] == [ALARM, "brew coffee_maker"]


def test_lights_off_in_an_order_at_night() -> None:
    acts = []
    for d in range(4):
        night = START + d * DAY + dt.timedelta(hours=15)
        acts.append(Activity("ann", night, "turn_off living_room_light"))
        acts.append(Activity("ann", night + 3 * MIN, "turn_off bedroom_light"))
    pairs = {(r.first, r.then) for r in mine(acts)}
    assert pairs == {("turn_off living_room_light", "turn_off bedroom_light")}


def test_users_are_mined_apart() -> None:
    rows = mornings("ann", 4, {0, 1, 2, 3}) + mornings("bob", 4, set())
    routines = mine(timeline(rows))
    assert coffee_after_alarm(routines, "ann") is not None and coffee_after_alarm(routines, "bob") is None


def test_refused_directives_and_an_empty_history_give_nothing() -> None:
    rows = [turn("ann", START, "start brewing", directives=("brew coffee_maker",),
                 refused=(["brew coffee_maker", "DEVICE_OFF", "no"],))]
    assert timeline(rows) == [] and mine([]) == []


def test_values_are_dropped_from_items() -> None:
    assert item_of("set_brightness living_room_light 30") == "set_brightness living_room_light"


def test_an_accepted_routine_is_due_after_the_alarm_only(store) -> None:
    from assistant.habits.routines import due_automations
    from assistant.home import Home
    from assistant.prefs.keys import COFFEE_AFTER_ALARM, PrefKey, Source

    home = Home.default()
    home.set_state("bedroom_alarm_clock", {"alarms": ["07:00"]})
    home.set_state("coffee_maker", {"power": "off", "brewing": False})
    before = home.clock.now
    home.set_time("06:50")
    home.set_time("07:05")
    assert due_automations(home, ["ann"], before) == []            # nothing accepted yet
    store.set("ann", PrefKey.MORNING_ROUTINE, COFFEE_AFTER_ALARM, source=Source.ASSISTANT)
    assert due_automations(home, ["ann"], before) == ["brew coffee_maker"]
    assert due_automations(home, ["ann"], home.clock.now) == []    # no alarm since
    home.apply("brew coffee_maker")
    assert due_automations(home, ["ann"], before) == []            # already brewing
