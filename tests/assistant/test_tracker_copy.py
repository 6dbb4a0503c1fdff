"""A tracker copied without replay equals Rasa's replayed copy, on every prefix of random
conversations over the project's domain, and is independent of the original."""

from __future__ import annotations

import random
from typing import Any, Dict

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, LoopInterrupted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from assistant import tracker_copy
from tests.assistant.test_policy_states import random_conversation


@pytest.fixture(scope="module")
def domain() -> Domain:
    tracker_copy.copy_trackers_without_replay()
    return Domain.load("domain")


def _state(tracker: DialogueStateTracker) -> Dict[str, Any]:
    """Everything a tracker holds: its attributes, slots by value, events by identity."""
    out = {key: value for key, value in vars(tracker).items() if key not in ("slots", "events")}
    out["slots"] = {name: (type(slot), slot.value, slot.has_been_set) for name, slot in tracker.slots.items()}
    out["events"] = [id(event) for event in tracker.events]
    out["current"] = tracker.current_state(EventVerbosity.ALL)
    return out


@pytest.mark.parametrize("seed", range(4))
def test_a_copy_equals_rasas_replayed_copy_on_every_prefix(domain: Domain, seed: int) -> None:
    for tracker in random_conversation(domain, random.Random(100 + seed), f"copy-{seed}", 60):
        tracker.model_id = "model-1"     # the processor's own marks: Rasa's copy leaves them out
        tracker.assistant_id = "assistant-1"
        assert _state(tracker_copy.copy_tracker(tracker)) == _state(tracker_copy._rasa_copy(tracker))


def test_a_copy_is_independent_of_the_original(domain: Domain) -> None:
    tracker = DialogueStateTracker.from_events("independent", [
        ActionExecuted("action_listen"),
        UserUttered("play jazz", {"name": domain.intents[0], "confidence": 1.0}),
        SlotSet("qa_music_genre", "jazz"),
    ], slots=domain.slots)
    duplicate = tracker.copy()
    duplicate.update(SlotSet("qa_music_genre", "rock"))
    duplicate.update(ActionExecuted("action_listen"))
    assert tracker.get_slot("qa_music_genre") == "jazz"
    assert len(tracker.events) == 3 and len(duplicate.events) == 5
    assert tracker.latest_action_name != duplicate.latest_action_name or tracker.latest_action is not duplicate.latest_action
    tracker.update(ActiveLoop("preference_form"))
    duplicate = tracker.copy()
    duplicate.update(LoopInterrupted(True))
    assert duplicate.active_loop.is_interrupted and not tracker.active_loop.is_interrupted


def test_trackers_rasa_copies_itself(domain: Domain) -> None:
    bounded = DialogueStateTracker.from_events("bounded", [ActionExecuted("action_listen")], slots=domain.slots,
                                               max_event_history=3)
    for index in range(5):
        bounded.update(SlotSet("qa_music_genre", f"genre {index}"))
    assert _state(tracker_copy.copy_tracker(bounded)) == _state(tracker_copy._rasa_copy(bounded))
    slotless = DialogueStateTracker.from_events("slotless", [ActionExecuted("action_listen"), SlotSet("x", 1)])
    assert _state(tracker_copy.copy_tracker(slotless)) == _state(tracker_copy._rasa_copy(slotless))


def _rasa_validation_tracker(tracker: DialogueStateTracker, slot_events: list, domain: Domain) -> DialogueStateTracker:
    """Rasa 3.6's own (`ActionExtractSlots._execute_validation_action`)."""
    return DialogueStateTracker.from_events(tracker.sender_id, tracker.events_after_latest_restart() + slot_events,
                                            slots=domain.slots)


@pytest.mark.parametrize("seed", range(3))
def test_the_validation_tracker_equals_rasas_replay_on_every_prefix(domain: Domain, seed: int) -> None:
    rng = random.Random(200 + seed)
    slot_names = [slot.name for slot in domain.slots]
    fast = restarted = 0
    for tracker in random_conversation(domain, rng, f"validate-{seed}", 80):
        slot_events = [SlotSet(rng.choice(slot_names), rng.choice([None, "jazz", True]))
                       for _ in range(rng.randint(0, 2))]
        ours = tracker_copy.validation_tracker(tracker, slot_events, domain)
        assert _state(ours) == _state(_rasa_validation_tracker(tracker, slot_events, domain))
        if len(tracker.events_after_latest_restart()) == len(tracker.events):
            fast += 1
            assert ours.events[0] is tracker.events[0]    # a copy of the tracker, not a replay
        else:
            restarted += 1
    assert fast and restarted     # both paths were taken


def test_a_tracker_whose_slots_are_not_the_domains_is_replayed(domain: Domain) -> None:
    tracker = DialogueStateTracker.from_events("other-slots", [ActionExecuted("action_listen"),
                                                               SlotSet("qa_music_genre", "jazz")],
                                               slots=domain.slots[:-1])
    extracted = [SlotSet("qa_music_genre", "rock")]
    ours = tracker_copy.validation_tracker(tracker, extracted, domain)
    assert _state(ours) == _state(_rasa_validation_tracker(tracker, extracted, domain))
    assert set(ours.slots) == {slot.name for slot in domain.slots}


def test_the_patched_validation_runs_the_custom_action_on_that_tracker(domain: Domain) -> None:
    from rasa.core.actions.action import ActionExtractSlots

    seen: list = []

    class Probe(ActionExtractSlots):
        async def _run_custom_action(self, name: str, output_channel: Any, nlg: Any, tracker: Any,
                                     domain: Any) -> list:
            seen.append((name, tracker.get_slot("qa_music_genre")))
            return [SlotSet("qa_music_genre", None)]

    assert ActionExtractSlots._execute_validation_action is tracker_copy._execute_validation_action
    tracker = DialogueStateTracker.from_events("probe", [ActionExecuted("action_listen")], slots=domain.slots)
    extracted = [SlotSet("qa_music_genre", "jazz"), SlotSet("qa_home_city", "Paris"), ActionExecuted("x")]
    import asyncio

    events = asyncio.run(Probe(None)._execute_validation_action(extracted, None, None, tracker, domain))
    assert seen == [("action_validate_slot_mappings", "jazz")]
    # what the custom action returned, then the extracted slots it said nothing about (taken as valid)
    assert [(e.key, e.value) for e in events] == [("qa_music_genre", None), ("qa_home_city", "Paris")]
