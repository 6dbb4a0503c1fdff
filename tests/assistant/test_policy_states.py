"""The kept dialogue states equal Rasa's own, on every prefix of random conversations over the
project's domain: values, and which states share a sub-state (Rasa's featurizers edit them)."""

from __future__ import annotations

import random
from typing import Any, Dict, Iterator, List

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    AllSlotsReset,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    FollowupAction,
    LoopInterrupted,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from assistant import policy_states

FORM = "preference_form"


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load("domain")


@pytest.fixture(autouse=True)
def patched() -> Any:
    policy_states.keep_dialogue_states()
    policy_states.forget_replays()
    yield
    policy_states.forget_replays()


def _rasa(domain: Domain, tracker: DialogueStateTracker, *flags: Any) -> List[Dict[str, Any]]:
    result: List[Dict[str, Any]] = policy_states._rasa_states_for_tracker_history(domain, tracker, *flags)
    return result


def _sharing(states: List[Dict[str, Any]]) -> List[List[Any]]:
    """Which earlier (state, kind) each sub-state is the same object as."""
    first: Dict[int, Any] = {}
    pattern = []
    for index, state in enumerate(states):
        row = []
        for kind in sorted(state):
            row.append(first.setdefault(id(state[kind]), (index, kind)))
        pattern.append(row)
    return pattern


def random_event(rng: random.Random, domain: Domain, slot_names: List[str]) -> List[Any]:
    intent = rng.choice(domain.intents)
    action = rng.choice([a for a in domain.action_names_or_texts if a != "action_listen"])
    roll = rng.random()
    if roll < 0.30:
        entities = []
        if rng.random() < 0.4 and domain.entities:
            entities = [{"entity": rng.choice(domain.entities), "value": "x", "start": 0, "end": 1}]
        return [ActionExecuted("action_listen"),
                UserUttered(f"text {rng.randint(0, 9)}", {"name": intent, "confidence": 1.0}, entities)]
    if roll < 0.44:
        return [ActionExecuted(action, hide_rule_turn=rng.random() < 0.3), BotUttered("ok")]
    if roll < 0.46:
        return [ConversationPaused()]
    if roll < 0.48:
        return [ConversationResumed()]
    if roll < 0.50:
        return [AllSlotsReset()]
    if roll < 0.60:
        slot = rng.choice(slot_names)
        return [SlotSet(slot, rng.choice([None, "jazz", True, 3.0, "should_not_be_set"]))]
    if roll < 0.70:
        return [ActionExecuted(FORM), ActiveLoop(FORM)]
    if roll < 0.76:
        return [ActionExecuted(FORM, hide_rule_turn=rng.random() < 0.5)]
    if roll < 0.80:
        return [ActiveLoop(None)]
    if roll < 0.83:
        return [LoopInterrupted(rng.random() < 0.5)]
    if roll < 0.86:
        return [ActionExecutionRejected(FORM)]
    if roll < 0.89:
        return [FollowupAction(action)]
    if roll < 0.93:
        return [UserUtteranceReverted()]
    if roll < 0.96:
        return [ActionReverted()]
    if roll < 0.98:
        return [SessionStarted(), ActionExecuted("action_listen")]
    return [Restarted()]


def random_conversation(domain: Domain, rng: random.Random, sender: str, steps: int) -> Iterator[DialogueStateTracker]:
    """One tracker over the domain, yielded after each of ``steps`` random steps (`random_event`)."""
    slot_names = [slot.name for slot in domain.slots]
    tracker = DialogueStateTracker.from_events(sender, [ActionExecuted("action_listen")], slots=domain.slots)
    for _ in range(steps):
        for event in random_event(rng, domain, slot_names):
            tracker.update(event, domain)
        yield tracker


FLAGS = [
    (False, False, None),
    (True, False, None),
    (False, True, None),
    (False, True, {"rule_only_slots": ["qa_music_genre"], "rule_only_loops": [FORM]}),
    (True, True, {"rule_only_slots": ["qa_music_genre", "qa_sports_team"], "rule_only_loops": []}),
]


@pytest.mark.parametrize("seed", range(6))
def test_kept_states_equal_rasas_on_every_prefix(domain: Domain, seed: int) -> None:
    for tracker in random_conversation(domain, random.Random(seed), f"user-{seed}", 70):
        _assert_same_events(policy_states.applied_events(tracker), policy_states._rasa_applied_events(tracker))
        for flags in FLAGS:
            kept = policy_states.states_for_tracker_history(domain, tracker, *flags)
            rasa = _rasa(domain, tracker, *flags)
            assert kept == rasa
            assert _sharing(kept) == _sharing(rasa)


def _assert_same_events(kept: List[Any], rasa: List[Any]) -> None:
    assert len(kept) == len(rasa)
    assert all(a is b for a, b in zip(kept, rasa))


def test_a_loop_named_late_rewalks_the_older_events(domain: Domain) -> None:
    """Rasa reads every loop's name before it walks: a loop that is first activated after its
    action ran changes how the older runs of that action count."""
    tracker = DialogueStateTracker.from_events("late", [ActionExecuted("action_listen")], slots=domain.slots)
    for event in [UserUttered("hi", {"name": domain.intents[0], "confidence": 1.0}), ActionExecuted("late_form"),
                  ActionExecuted("late_form"), ActionExecuted("action_listen")]:
        tracker.update(event)
        _assert_same_events(policy_states.applied_events(tracker), policy_states._rasa_applied_events(tracker))
    before = policy_states.applied_events(tracker)
    tracker.update(ActiveLoop("late_form"))
    after = policy_states.applied_events(tracker)
    _assert_same_events(after, policy_states._rasa_applied_events(tracker))
    assert len(after) < len(before) + 1     # the second run of the loop's action no longer counts


def test_handed_out_events_and_states_are_copies(domain: Domain) -> None:
    tracker = DialogueStateTracker.from_events("copies", [
        ActionExecuted("action_listen"),
        UserUttered("play jazz", {"name": domain.intents[0], "confidence": 1.0}),
        ActionExecuted("action_listen"),
        UserUttered("play rock", {"name": domain.intents[1], "confidence": 1.0}),
    ], slots=domain.slots)
    policy_states.applied_events(tracker).clear()
    _assert_same_events(policy_states.applied_events(tracker), policy_states._rasa_applied_events(tracker))
    first = policy_states.states_for_tracker_history(domain, tracker)
    for state in first:     # what Rasa's featurizers do to the states they are given
        state.get("user", {}).pop("text", None)
        state.pop("prev_action", None)
    again = policy_states.states_for_tracker_history(domain, tracker)
    assert again == _rasa(domain, tracker, False, False, None)
    assert any("text" in state.get("user", {}) for state in again)


def test_a_tracker_read_back_anew_replays_from_the_start(domain: Domain) -> None:
    events = [ActionExecuted("action_listen"),
              UserUttered("hello", {"name": domain.intents[0], "confidence": 1.0}),
              ActionExecuted(FORM), ActiveLoop(FORM), ActionExecuted("action_listen")]
    tracker = DialogueStateTracker.from_events("anew", events, slots=domain.slots)
    policy_states.states_for_tracker_history(domain, tracker)
    # The same conversation from the database: equal events, other objects, one rewritten.
    dumped = tracker.as_dialogue().as_dict()
    from rasa.shared.core.conversation import Dialogue

    other = DialogueStateTracker("anew", domain.slots)
    other.recreate_from_dialogue(Dialogue.from_parameters(dumped))
    other.events[1] = UserUttered("bye", {"name": domain.intents[1], "confidence": 1.0})
    other.events.append(UserUttered("again", {"name": domain.intents[2], "confidence": 1.0}))
    assert policy_states.states_for_tracker_history(domain, other) == _rasa(domain, other, False, False, None)
    _assert_same_events(policy_states.applied_events(other), policy_states._rasa_applied_events(other))


def test_other_tracker_types_are_rasas_own(domain: Domain) -> None:
    from rasa.shared.core.generator import TrackerWithCachedStates

    tracker = TrackerWithCachedStates.from_events("training", [ActionExecuted("action_listen")],
                                                  domain=domain, slots=domain.slots)
    before = len(policy_states._replays), len(policy_states._walks)
    assert policy_states.states_for_tracker_history(domain, tracker) == _rasa(domain, tracker, False, False, None)
    _assert_same_events(tracker.applied_events(), policy_states._rasa_applied_events(tracker))
    assert (len(policy_states._replays), len(policy_states._walks)) == before



@pytest.mark.parametrize("seed", range(4))
def test_prediction_states_equal_rasas_on_every_prefix(domain: Domain, seed: int) -> None:
    """The Memoization and Rule policies' states (no max history): every prefix, every way of
    asking, and what was handed out earlier stays as it was handed out."""
    import copy

    from rasa.core.featurizers.single_state_featurizer import SingleStateFeaturizer
    from rasa.core.featurizers.tracker_featurizers import MaxHistoryTrackerFeaturizer

    featurizer = MaxHistoryTrackerFeaturizer(SingleStateFeaturizer(), max_history=None)
    assert MaxHistoryTrackerFeaturizer.prediction_states is policy_states.prediction_states
    rng = random.Random(300 + seed)
    handed: List[Any] = []
    for tracker in random_conversation(domain, rng, f"predict-{seed}", 70):
        if rng.random() < 0.03:
            tracker.update(ActionExecuted("action_unlikely_intent"), domain)
        for use_text in (False, True):
            for unlikely in (False, True):
                for _, ignore, rule_only in FLAGS[::2]:
                    ours = featurizer.prediction_states([tracker], domain, use_text, ignore, rule_only, unlikely)
                    rasa = policy_states._rasa_prediction_states(featurizer, [tracker], domain, use_text, ignore,
                                                                 rule_only, unlikely)
                    assert ours == rasa
                    handed.append((ours, copy.deepcopy(ours)))
    assert all(given == snapshot for given, snapshot in handed)
    assert any(len(given[0]) > 5 for given, _ in handed)


def test_prediction_states_with_a_max_history_are_rasas_own(domain: Domain) -> None:
    from rasa.core.featurizers.single_state_featurizer import SingleStateFeaturizer
    from rasa.core.featurizers.tracker_featurizers import MaxHistoryTrackerFeaturizer

    featurizer = MaxHistoryTrackerFeaturizer(SingleStateFeaturizer(), max_history=2)
    tracker = DialogueStateTracker.from_events("sliced", [
        ActionExecuted("action_listen"), UserUttered("play jazz", {"name": domain.intents[0], "confidence": 1.0}),
        ActionExecuted(FORM), ActionExecuted("action_listen")], slots=domain.slots)
    before = len(policy_states._replays)
    ours = featurizer.prediction_states([tracker], domain)
    assert ours == policy_states._rasa_prediction_states(featurizer, [tracker], domain, False, False, None, False)
    assert len(ours[0]) == 2 and len(policy_states._replays) == before + 1   # states kept, Rasa's slicing
