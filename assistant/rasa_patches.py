"""Fixes for Rasa 3.6's hot paths.

Serving (applied by the runtime):
- Rasa validates every action server response with `jsonschema.validate`, which checks the
  (constant) schema itself again on every call: a third of a simulated turn's time. The patch
  validates against a validator built once; what passes and what fails is unchanged.
- Rasa sends the action server every event of the conversation, twice a turn, so a turn's
  cost grew with the conversation. The patch sends the events of the last few user turns;
  the slots, the latest message and the rest of the tracker's state travel as before
  (`bound_action_calls`; our actions read nothing older).
- The Memoization and Rule policies deep-copy (and the Rule policy formats) the dialogue's
  states for a debug log line on every prediction, whether debug logging is on or not: 8 ms a
  prediction at turn 120. The patch does that work only when the log line will be written
  (`copy_states_only_for_debug_logs`).
- The Memoization policy (no max history) keys the whole session's states as JSON on every
  prediction, though a session longer than every remembered one can't match any of them. The
  patch answers "nothing remembered" at once for such a session (`skip_unmatchable_memories`).
  The Rule policy matches its rules against the session's states from the last one back, to the
  first, though every rule still in the running matches any state older than the longest rule;
  it now stops there (`stop_rule_matching_past_the_longest_rule`).

Training (applied by the launcher `python -m assistant.rasa_patches train ...`, which
`assistant train` runs instead of `python -m rasa train`): Rasa's training cache fingerprints
every node's output, and each message's fingerprint is a JSON dump and an md5 per token,
per token field and per feature (sparse features printed value by value): 6-8 s of a
retrain. The patch hashes the same things (a message's data, keys in any order, and its
features) from the data's pickle and the matrices' arrays, in C rather than in Python. Anything that changes Rasa's
fingerprint changes this one; the values differ from Rasa's, so the first training after
switching restores nothing from an older cache (it is never wrongly reused). The launcher
also runs graph nodes that do not depend on each other in two threads
(`run_graph_nodes_in_threads`).
"""

from __future__ import annotations

import functools
import hashlib
import sys
from typing import Any, Callable, Dict, List, Optional, Set, Text, Tuple

_applied = False


def speed_up_action_validation() -> None:
    """Patch `RemoteAction._validate_action_result` (idempotent)."""
    global _applied
    if _applied:
        return
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    def _validate_action_result(self: Any, result: Dict[Text, Any]) -> bool:
        from jsonschema import ValidationError

        try:
            _validator(self.action_response_format_spec).validate(result)
            return True
        except ValidationError as error:
            error.message += (
                ". Failed to validate Action server response from API, make sure your response "
                f"from the Action endpoint is valid. For more information about the format visit "
                f"{DOCS_BASE_URL}/custom-actions"
            )
            raise error

    RemoteAction._validate_action_result = _validate_action_result
    _applied = True


# The user turns whose events an action call carries: ours read the latest message, the answer
# to it (`answer_rested_on`) and the slots, which travel whole beside the events.
ACTION_CALL_USER_TURNS = 3
_bounded = False
_rasa_action_call_format: Any = None   # Rasa's own, kept for the tests' comparison


def bound_action_calls() -> None:
    """Patch `RemoteAction._action_call_format` (idempotent) to send the action server the
    events of the last `ACTION_CALL_USER_TURNS` user turns instead of the whole conversation's:
    Rasa sends every event twice a turn, so a call's cost grew with the conversation (300 ms
    a turn at turn 120). The slots, the latest message, the active loop and the latest action
    travel as Rasa sends them."""
    global _bounded, _rasa_action_call_format
    if _bounded:
        return
    import rasa
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.trackers import EventVerbosity

    _rasa_action_call_format = RemoteAction._action_call_format

    def _action_call_format(self: Any, tracker: Any, domain: Any) -> Dict[Text, Any]:
        state = tracker.current_state(EventVerbosity.NONE)
        state["events"] = [event.as_dict() for event in recent_events(tracker.events, ACTION_CALL_USER_TURNS)]
        result = {"next_action": self._name, "sender_id": tracker.sender_id, "tracker": state,
                  "version": rasa.__version__}
        if not self._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(self.name()):
            result["domain"] = domain.as_dict()
        return result

    RemoteAction._action_call_format = _action_call_format
    _bounded = True


# Rasa's modules whose `copy.deepcopy` serves only their debug log lines.
_LOG_COPYING_MODULES = ("rasa.core.policies.memoization", "rasa.core.policies.rule_policy")


def copy_states_only_for_debug_logs() -> None:
    """Give the policies' modules a `copy` whose `deepcopy` copies only when the module's debug
    log is on (idempotent). Rasa passes the copies only to `structlogger.debug`, which writes at
    the call, so an uncopied value logs the same."""
    import importlib

    for name in _LOG_COPYING_MODULES:
        module = importlib.import_module(name)
        if not isinstance(getattr(module, "copy"), _DebugLogCopy):
            setattr(module, "copy", _DebugLogCopy(name))
    # The Rule policy also formats every state for that log line (its only use of the text).
    from rasa.core.policies.policy import Policy
    from rasa.core.policies.rule_policy import RulePolicy

    if "format_tracker_states" not in vars(RulePolicy):
        rasa_format = Policy.format_tracker_states

        def format_tracker_states(states: List[Dict[Text, Any]]) -> Text:
            if _debug_logged("rasa.core.policies.rule_policy"):
                return str(rasa_format(states))
            return ""

        RulePolicy.format_tracker_states = staticmethod(format_tracker_states)


def skip_unmatchable_memories() -> None:
    """Patch `MemoizationPolicy._recall_states` (idempotent).

    A remembered key is the JSON of a list of states, each a dict, so a key holds at least one
    "{" per state: states more than any key has "{"s can't equal one, and `lookup.get` would
    return None. The Rule policy (its own lookup) and any other subclass keep Rasa's."""
    from rasa.core.policies.memoization import MemoizationPolicy

    if "_assistant_bound" in vars(MemoizationPolicy):
        return
    rasa_recall = MemoizationPolicy._recall_states

    def _recall_states(self: Any, states: List[Dict[Text, Any]]) -> Optional[Text]:
        if type(self) is MemoizationPolicy and len(states) > _most_states(self):
            return None
        result: Optional[Text] = rasa_recall(self, states)
        return result

    MemoizationPolicy._recall_states = _recall_states
    MemoizationPolicy._assistant_bound = rasa_recall   # Rasa's own, kept for the tests' comparison


def stop_rule_matching_past_the_longest_rule() -> None:
    """Patch `RulePolicy._get_possible_keys` (idempotent).

    Rasa's `_is_rule_applicable` is True for every turn index at or past the rule's length, so
    filtering the keys by states that old keeps them all; and an empty set stays empty."""
    from rasa.core.policies.rule_policy import RulePolicy

    if "_assistant_possible_keys" in vars(RulePolicy):
        return
    rasa_possible_keys = RulePolicy._get_possible_keys

    def _get_possible_keys(self: Any, lookup: Dict[Text, Text], states: List[Dict[Text, Any]]) -> Set[Text]:
        possible_keys = set(lookup.keys())
        longest = _longest_rule(self, lookup)
        for i, state in enumerate(reversed(states)):
            if not possible_keys or i >= longest:
                break
            possible_keys = {key for key in possible_keys if self._is_rule_applicable(key, i, state)}
        return possible_keys

    RulePolicy._get_possible_keys = _get_possible_keys
    RulePolicy._assistant_possible_keys = rasa_possible_keys   # Rasa's own, kept for the tests' comparison


def _longest_rule(policy: Any, lookup: Dict[Text, Text]) -> int:
    """The most states any rule in ``lookup`` has."""
    return _per_lookup(policy, lookup, lambda: max((len(policy._rule_key_to_state(key)) for key in lookup), default=0))


def _most_states(policy: Any) -> int:
    """The most states any of the Memoization policy's remembered keys can hold."""
    import base64
    import zlib

    compressed = policy.config.get("enable_feature_string_compression")

    def most() -> int:
        texts = (zlib.decompress(base64.b64decode(key)).decode("utf-8") if compressed else str(key)
                 for key in policy.lookup)
        return max((text.count("{") for text in texts), default=0)

    return _per_lookup(policy, policy.lookup, most)


def _per_lookup(policy: Any, lookup: Dict[Text, Any], work_out: Callable[[], int]) -> int:
    """``work_out()``, once per lookup the policy holds (a reloaded policy holds new ones)."""
    kept: Dict[int, Tuple[Any, int]] = policy.__dict__.setdefault("_assistant_per_lookup", {})
    found = kept.get(id(lookup))
    if found is None or found[0] is not lookup:
        found = kept[id(lookup)] = (lookup, work_out())
    return int(found[1])


def _debug_logged(logger_name: str) -> bool:
    import logging

    return logging.getLogger(logger_name).isEnabledFor(logging.DEBUG)


class _DebugLogCopy:
    """Stands in for the `copy` module inside one of Rasa's policy modules."""

    def __init__(self, logger_name: str) -> None:
        self._logger_name = logger_name

    def deepcopy(self, value: Any, memo: Any = None) -> Any:
        import copy

        if _debug_logged(self._logger_name):
            return copy.deepcopy(value, memo)
        return value


def recent_events(events: Any, user_turns: int) -> List[Any]:
    """The events from the ``user_turns``-th last user message on (all of them when there are fewer)."""
    from rasa.shared.core.events import UserUttered

    kept: List[Any] = []
    seen = 0
    for event in reversed(events):
        kept.append(event)
        if isinstance(event, UserUttered):
            seen += 1
            if seen == user_turns:
                break
    kept.reverse()
    return kept


@functools.lru_cache(maxsize=4)
def _validator(spec: Any) -> Any:
    from jsonschema.validators import validator_for

    schema = spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


_training_applied = False
THREADS_ENV = "ASSISTANT_TRAIN_THREADS"
# Prefixed to every patched fingerprint, so none can equal one of Rasa's own.
_TAG = "assistant-fp-1"


def speed_up_training_fingerprints() -> None:
    """Patch `Message.fingerprint` and `Features.fingerprint` (idempotent; see the module)."""
    global _training_applied
    if _training_applied:
        return
    from rasa.shared.nlu.training_data.features import Features
    from rasa.shared.nlu.training_data.message import Message

    def message_fingerprint(self: Any) -> Text:
        # Cached and reset exactly as Rasa's own (set, add_features, diagnostic data).
        if self._cached_fingerprint is None:
            self._cached_fingerprint = _digest(
                [data_key(self.data), [f.fingerprint() for f in self.features]])
        return self._cached_fingerprint

    def features_fingerprint(self: Any) -> Text:
        if self._cached_fingerprint is None:
            self._cached_fingerprint = _digest(
                [self.type, self.origin, self.attribute, matrix_key(self.features)])
        return self._cached_fingerprint

    Message.fingerprint = message_fingerprint
    Features.fingerprint = features_fingerprint
    _training_applied = True


def matrix_key(matrix: Any) -> Text:
    """A hash of a dense or sparse matrix's shape, type and values."""
    import numpy as np

    digest = hashlib.md5(usedforsecurity=False)
    if isinstance(matrix, np.ndarray):
        arrays = [np.ascontiguousarray(matrix)]
        kind = "dense"
    else:
        coo = matrix.tocoo()
        # Canonical order: the same matrix built two ways hashes the same.
        order = np.lexsort((coo.col, coo.row))
        arrays = [coo.row[order].astype(np.int64), coo.col[order].astype(np.int64), coo.data[order]]
        kind = "sparse"
    digest.update(f"{kind}{matrix.shape}{matrix.dtype}".encode())
    for array in arrays:
        digest.update(array.tobytes())
    return digest.hexdigest()


def data_key(data: Dict[Text, Any]) -> Text:
    """A hash of a message's data: its pickle, keys sorted (Rasa ignores their order).

    Pickling is exact, so different data never hash alike; it runs in C, where a walk over
    every token's fields in Python cost ~0.2 ms a message. Data that would hash differently
    though equal (a set's order, objects shared in one and copied in the other) only makes
    a cache miss. What does not pickle is walked instead."""
    import pickle

    items = sorted(data.items(), key=lambda item: str(item[0]))
    try:
        blob = pickle.dumps(items, protocol=4)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return "w" + _digest(items)
    return "p" + hashlib.md5(blob, usedforsecurity=False).hexdigest()


def _digest(obj: Any) -> Text:
    parts: List[Text] = [_TAG]
    _canonical(obj, parts)
    return hashlib.md5("\x1f".join(parts).encode("utf-8", "surrogatepass"),
                       usedforsecurity=False).hexdigest()


def _canonical(obj: Any, out: List[Text]) -> None:
    """Append a canonical text of `obj`: what Rasa's `deep_container_fingerprint` tells apart
    (dict order ignored, list order kept, objects by their own `fingerprint()`, others by
    `str`), with types and lengths marked so that no two values give the same text."""
    if isinstance(obj, str):
        out.append(f"s{len(obj)}:{obj}")
    elif isinstance(obj, dict):
        items: List[List[Text]] = []
        for key, value in obj.items():
            item: List[Text] = []
            _canonical(key, item)
            _canonical(value, item)
            items.append(item)
        items.sort()
        out.append(f"d{len(items)}")
        for item in items:
            out.append(f"i{len(item)}")
            out.extend(item)
    elif isinstance(obj, (list, tuple)):
        out.append(f"l{len(obj)}")
        for element in obj:
            _canonical(element, out)
    elif obj is None or isinstance(obj, (bool, int, float)):
        out.append(f"{type(obj).__name__}:{obj!r}")
    elif _is_token(obj):
        out.append("t")
        _canonical([obj.text, obj.start, obj.end, obj.lemma, obj.data], out)
    elif callable(getattr(obj, "fingerprint", None)):
        out.append(f"f{type(obj).__name__}:{obj.fingerprint()}")
    else:
        text = str(obj)
        out.append(f"o{len(text)}:{text}")


@functools.lru_cache(maxsize=None)
def _token_class() -> Optional[type]:
    try:
        from rasa.nlu.tokenizers.tokenizer import Token
    except ImportError:  # pragma: no cover - Rasa always ships it
        return None
    return Token


def _is_token(obj: Any) -> bool:
    token = _token_class()
    return token is not None and type(obj) is token


def run_graph_nodes_in_threads(workers: int = 2) -> None:
    """Run the nodes of Rasa's graphs that do not depend on each other in `workers` threads
    (Rasa runs one node at a time).

    In a training, the CRF's fit (crfsuite releases the GIL) then runs beside the intent
    classifier's and the policies'. Every node still runs after its inputs are ready, on
    the same inputs, so the model is the same. Only for the training launcher: a trained
    model is served by Rasa's own runner."""
    import dask.threaded
    import rasa.engine.runner.dask as runner

    runner.dask = _ThreadedDask(functools.partial(dask.threaded.get, num_workers=workers))
    serialize_training_cache()


def serialize_training_cache() -> None:
    """Let one thread at a time use Rasa's training cache. Its SQLite database and its size
    check are not thread-safe: with two nodes caching at once, the size check walked the cache
    folder and found the other's `cache.db-journal` gone before it could read its size
    (FileNotFoundError in an after hook, failing the training)."""
    import threading

    from rasa.engine.caching import LocalTrainingCache

    if getattr(LocalTrainingCache, "_assistant_serialized", False):
        return
    lock = threading.RLock()
    for name in ("cache_output", "get_cached_output_fingerprint", "get_cached_result"):
        setattr(LocalTrainingCache, name, _holding(lock, getattr(LocalTrainingCache, name)))
    LocalTrainingCache._assistant_serialized = True


def _holding(lock: Any, method: Any) -> Any:
    @functools.wraps(method)
    def locked(*args: Any, **kwargs: Any) -> Any:
        with lock:
            return method(*args, **kwargs)

    return locked


class _ThreadedDask:
    """Stands in for the `dask` module inside `rasa.engine.runner.dask` (which only calls
    `dask.get`)."""

    def __init__(self, get: Any) -> None:
        self.get = get


def main(argv: Optional[List[str]] = None) -> None:
    """Rasa's command line (`rasa ARGS`) with the training patches applied."""
    import os

    speed_up_training_fingerprints()
    # $ASSISTANT_TRAIN_THREADS=1 runs one node at a time, as Rasa does.
    workers = int(os.environ.get(THREADS_ENV) or min(2, os.cpu_count() or 1))
    if workers > 1:
        run_graph_nodes_in_threads(workers=workers)
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *(sys.argv[1:] if argv is None else argv)]
    rasa_main()


if __name__ == "__main__":
    main()
