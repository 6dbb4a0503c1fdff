"""The patched action-response validation accepts and rejects what Rasa's own does; a bounded
action call carries what Rasa's carries but the old events; the training fingerprints."""

from __future__ import annotations

import pytest


def test_valid_and_invalid_action_responses() -> None:
    from jsonschema import ValidationError
    from rasa.core.actions.action import RemoteAction

    from assistant.rasa_patches import speed_up_action_validation

    speed_up_action_validation()
    speed_up_action_validation()   # idempotent
    action = RemoteAction("action_x", None)
    good = {"events": [{"event": "slot", "name": "a", "value": 1}], "responses": [{"text": "hi"}]}
    assert action._validate_action_result(good)
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result({"events": "not a list", "responses": []})


def _long_conversation(turns: int):
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.from_yaml("""
intents: [greet, play]
slots:
  mood: {type: text, mappings: [{type: custom}]}
  room: {type: text, mappings: [{type: custom}]}
actions: [action_x]
""")
    events = [SlotSet("mood", "calm")]    # set at the start, never again: it must still travel
    for i in range(turns):
        events += [ActionExecuted("action_listen"),
                   UserUttered(f"play {i}", {"name": "play", "confidence": 0.9}, metadata={"n": i}),
                   ActionExecuted("action_x"), SlotSet("room", f"room {i}"), BotUttered(f"playing {i}")]
    events.append(ActionExecuted("action_listen"))
    events.append(UserUttered("the last", {"name": "play", "confidence": 0.9}, metadata={"n": turns}))
    return DialogueStateTracker.from_events("u", events, slots=domain.slots), domain


def test_an_action_call_carries_the_last_user_turns_and_everything_else_rasa_sends(monkeypatch) -> None:
    from rasa.core.actions.action import RemoteAction

    from assistant import rasa_patches

    tracker, domain = _long_conversation(40)
    action = RemoteAction("action_x", None)
    if rasa_patches._bounded:   # another test started a runtime in this process
        monkeypatch.setattr(RemoteAction, "_action_call_format", rasa_patches._rasa_action_call_format)
    before = action._action_call_format(tracker, domain)
    monkeypatch.setattr(RemoteAction, "_action_call_format", RemoteAction._action_call_format)
    monkeypatch.setattr(rasa_patches, "_bounded", False)
    rasa_patches.bound_action_calls()
    rasa_patches.bound_action_calls()   # idempotent
    after = action._action_call_format(tracker, domain)

    assert len(before["tracker"]["events"]) == 203 and len(after["tracker"]["events"]) == 11
    assert [e["text"] for e in after["tracker"]["events"] if e["event"] == "user"] == ["play 38", "play 39", "the last"]
    assert after["tracker"]["events"] == before["tracker"]["events"][-11:]
    assert after["tracker"]["slots"]["mood"] == "calm" and after["tracker"]["slots"]["room"] == "room 39"
    del before["tracker"]["events"], after["tracker"]["events"]
    assert after == before


def test_recent_events_of_a_short_conversation_are_all_of_them() -> None:
    from assistant.rasa_patches import recent_events

    tracker, _ = _long_conversation(1)
    assert recent_events(tracker.events, 3) == list(tracker.events)
    assert recent_events([], 3) == []


@pytest.fixture()
def patched_fingerprints(monkeypatch):
    """The training fingerprints patched for one test, Rasa's own restored after it."""
    from rasa.shared.nlu.training_data.features import Features
    from rasa.shared.nlu.training_data.message import Message

    from assistant import rasa_patches

    monkeypatch.setattr(Message, "fingerprint", Message.fingerprint)
    monkeypatch.setattr(Features, "fingerprint", Features.fingerprint)
    monkeypatch.setattr(rasa_patches, "_training_applied", False)
    rasa_patches.speed_up_training_fingerprints()
    rasa_patches.speed_up_training_fingerprints()   # idempotent
    return rasa_patches


def _message(text: str = "turn on the lamp", pattern: int = 0, value: float = 1.0,
             entities: list | None = None, intent: str = "lights_on"):
    import numpy as np
    import scipy.sparse as sp
    from rasa.nlu.tokenizers.tokenizer import Token
    from rasa.shared.nlu.training_data.features import Features
    from rasa.shared.nlu.training_data.message import Message

    tokens = [Token(word, i * 5, i * 5 + len(word), data={"pattern": {"lamp": pattern}})
              for i, word in enumerate(text.split())]
    message = Message(data={"text": text, "intent": intent, "text_tokens": tokens,
                            "entities": entities or []})
    counts = sp.coo_matrix(np.array([[value, 0.0, 2.0]]))
    message.add_features(Features(counts, "sentence", "text", "CountVectorsFeaturizer"))
    message.add_features(Features(np.array([[0.5, value]]), "sentence", "text", "minilm"))
    return message


def test_equal_messages_fingerprint_alike_and_any_difference_shows(patched_fingerprints) -> None:
    base = _message().fingerprint()
    assert _message().fingerprint() == base
    assert base.startswith(tuple("0123456789abcdef")) and len(base) == 32
    for changed in (_message(text="turn on the lamps"), _message(pattern=1), _message(value=3.0),
                    _message(intent="lights_off"),
                    _message(entities=[{"entity": "device", "value": "lamp", "start": 12, "end": 16}])):
        assert changed.fingerprint() != base


def test_a_change_through_set_or_add_features_changes_the_fingerprint(patched_fingerprints) -> None:
    import numpy as np
    from rasa.shared.nlu.training_data.features import Features

    message = _message()
    first = message.fingerprint()
    message.set("intent", "lights_off")
    second = message.fingerprint()
    message.add_features(Features(np.array([[1.0]]), "sentence", "text", "other"))
    assert len({first, second, message.fingerprint()}) == 3


def test_dict_order_is_ignored_list_order_is_not(patched_fingerprints) -> None:
    digest = patched_fingerprints._digest
    assert digest({"a": 1, "b": [1, 2]}) == digest({"b": [1, 2], "a": 1})
    assert digest([1, 2]) != digest([2, 1])
    # Types and boundaries are marked: none of these collide.
    values = [["ab", "c"], ["a", "bc"], [1], ["1"], [1.0], [None], ["None"], [True], [[1, 2]], [1, 2]]
    assert len({digest(v) for v in values}) == len(values)


def test_a_sparse_matrix_hashes_by_its_values_however_it_is_stored(patched_fingerprints) -> None:
    import numpy as np
    import scipy.sparse as sp

    dense = np.array([[0.0, 1.0, 0.0], [2.0, 0.0, 3.0]])
    key = patched_fingerprints.matrix_key
    assert key(sp.csr_matrix(dense)) == key(sp.coo_matrix(dense)) == key(sp.csr_matrix(dense).tocoo())
    changed = dense.copy()
    changed[1, 2] = 3.5
    assert key(sp.csr_matrix(changed)) != key(sp.csr_matrix(dense))
    assert key(sp.csr_matrix(dense[:, :2])) != key(sp.csr_matrix(np.hstack([dense[:, :2], [[0], [0]]])))
    assert key(dense) != key(sp.csr_matrix(dense))


def test_the_launcher_runs_rasas_command_line() -> None:
    import subprocess
    import sys

    from assistant.training import rasa_env

    proc = subprocess.run([sys.executable, "-m", "assistant.rasa_patches", "--version"],
                          capture_output=True, text=True, env=rasa_env(), timeout=120)
    assert proc.returncode == 0, proc.stderr[-500:]
    assert "Rasa Version" in proc.stdout and "3.6" in proc.stdout


def test_independent_graph_nodes_run_side_by_side(monkeypatch) -> None:
    import threading

    import rasa.engine.runner.dask as runner

    from assistant.rasa_patches import run_graph_nodes_in_threads

    monkeypatch.setattr(runner, "dask", runner.dask)
    run_graph_nodes_in_threads(workers=2)
    both_running = threading.Barrier(2, timeout=30)   # broken when the two run one after the other
    threads: set[int] = set()

    def branch(x: int) -> int:
        threads.add(threading.get_ident())
        both_running.wait()
        return x + 1

    graph = {"a": 1, "b": (branch, "a"), "c": (branch, "a"), "d": (lambda b, c: b * 10 + c, "b", "c")}
    assert runner.dask.get(graph, ["d", "b"]) == (22, 2)
    assert len(threads) == 2


def test_one_thread_at_a_time_uses_rasas_training_cache(monkeypatch) -> None:
    """Two graph nodes caching at once raced on the cache's SQLite journal (a failed training);
    after the patch, the cache's entry points never overlap."""
    import threading
    import time

    from rasa.engine.caching import LocalTrainingCache

    from assistant import rasa_patches

    inside, most = [0], [0]
    guard = threading.Lock()

    def slow(*_args, **_kwargs):
        with guard:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        time.sleep(0.05)
        with guard:
            inside[0] -= 1

    for name in ("cache_output", "get_cached_output_fingerprint", "get_cached_result"):
        monkeypatch.setattr(LocalTrainingCache, name, slow)
    monkeypatch.setattr(LocalTrainingCache, "_assistant_serialized", False, raising=False)
    rasa_patches.serialize_training_cache()
    cache = object.__new__(LocalTrainingCache)
    calls = [cache.cache_output, cache.get_cached_result, cache.get_cached_output_fingerprint] * 2
    threads = [threading.Thread(target=call) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most[0] == 1


def test_policies_copy_states_for_their_debug_log_only_when_it_is_written() -> None:
    import logging

    import rasa.core.policies.memoization as memoization
    import rasa.core.policies.rule_policy as rule_policy

    from assistant.rasa_patches import copy_states_only_for_debug_logs

    copy_states_only_for_debug_logs()
    copy_states_only_for_debug_logs()      # idempotent
    states = [{"user": {"intent": "greet"}}]
    logger = logging.getLogger("rasa.core.policies.memoization")
    level = logger.level
    try:
        logger.setLevel(logging.INFO)
        assert memoization.copy.deepcopy(states) is states
        assert rule_policy.copy.deepcopy(states) is states
        logger.setLevel(logging.DEBUG)
        copied = memoization.copy.deepcopy(states)
        assert copied == states and copied is not states and copied[0]["user"] is not states[0]["user"]
    finally:
        logger.setLevel(level)
    rule_logger = logging.getLogger("rasa.core.policies.rule_policy")
    level = rule_logger.level
    try:
        rule_logger.setLevel(logging.INFO)
        assert rule_policy.RulePolicy.format_tracker_states(states) == ""
        rule_logger.setLevel(logging.DEBUG)
        assert "user intent: greet" in rule_policy.RulePolicy.format_tracker_states(states)
    finally:
        rule_logger.setLevel(level)


@pytest.mark.parametrize("compressed", [True, False])
def test_memoization_skips_only_sessions_no_memory_can_match(compressed: bool, monkeypatch) -> None:
    import random

    from rasa.core.policies.memoization import MemoizationPolicy

    from assistant.rasa_patches import skip_unmatchable_memories

    skip_unmatchable_memories()
    skip_unmatchable_memories()      # idempotent
    config = {**MemoizationPolicy.get_default_config(), "enable_feature_string_compression": compressed}
    from rasa.engine.graph import ExecutionContext, GraphSchema

    policy = MemoizationPolicy(config, None, None, ExecutionContext(GraphSchema({}), "test"))
    rng = random.Random(5)
    pieces = [{}, {"prev_action": {"action_name": "action_listen"}},
              {"user": {"intent": "greet"}, "prev_action": {"action_name": "action_listen"}},
              {"slots": {"genre": (1.0,)}, "prev_action": {"action_name": "utter_hi"}, "active_loop": {"name": "f"}}]
    stories = [[rng.choice(pieces) for _ in range(rng.randint(1, 4))] for _ in range(30)] + [[{}] * 5]
    policy.lookup = policy._create_lookup_from_states(stories, [["utter_hi"] for _ in stories])
    most = max(len(s) for s in stories)
    for _ in range(300):
        states = [rng.choice(pieces) for _ in range(rng.randint(0, most * 4 + 3))]
        assert policy._recall_states(states) == MemoizationPolicy._assistant_bound(policy, states)
    assert sum(policy._recall_states(s) is not None for s in stories) >= len(stories) // 2   # still found
    assert policy._recall_states([{}] * 5) == "utter_hi"    # the longest memory, one "{" a state
    keyed: list = []
    rasa_key = MemoizationPolicy._create_feature_key
    monkeypatch.setattr(MemoizationPolicy, "_create_feature_key",
                        lambda self, states: keyed.append(len(states)) or rasa_key(self, states))
    assert policy._recall_states(stories[0]) is not None and keyed == [len(stories[0])]
    policy._recall_states([pieces[2]] * (most * 4 + 1))                 # more states than any key's "{"s
    assert keyed == [len(stories[0])]


def test_rule_matching_stops_past_the_longest_rule_with_rasas_result() -> None:
    import json
    import random

    from rasa.core.policies.rule_policy import RulePolicy
    from rasa.engine.graph import ExecutionContext, GraphSchema

    from assistant.rasa_patches import stop_rule_matching_past_the_longest_rule

    stop_rule_matching_past_the_longest_rule()
    stop_rule_matching_past_the_longest_rule()      # idempotent
    policy = RulePolicy(RulePolicy.get_default_config(), None, None, ExecutionContext(GraphSchema({}), "test"))
    listen = {"action_name": "action_listen"}
    pieces = [{"prev_action": listen, "user": {"intent": "greet"}}, {"prev_action": listen, "user": {"intent": "bye"}},
              {"prev_action": {"action_name": "utter_hi"}, "user": {"intent": "greet"}},
              {"prev_action": {"action_name": "utter_hi"}, "active_loop": {"name": "form"}}, {}]
    rng = random.Random(8)
    lookup = {json.dumps([rng.choice(pieces) for _ in range(rng.randint(1, 4))], sort_keys=True): "utter_hi"
              for _ in range(40)}
    results = set()
    for _ in range(300):
        states = [rng.choice(pieces) for _ in range(rng.randint(0, 12))]
        ours = policy._get_possible_keys(lookup, states)
        assert ours == RulePolicy._assistant_possible_keys(policy, lookup, states)
        results.add(frozenset(ours))
    assert len(results) > 10      # the states decide which rules are left
    assert policy._get_possible_keys({}, [pieces[0]] * 3) == set()
