"""Rasa's dialogue states, built once per step of a conversation instead of once per prediction.

Every policy prediction asks `Domain.states_for_tracker_history` for the state before each action
of the session so far. Rasa replays the whole session into a fresh tracker and builds every step's
state again, five times a turn (the Memoization and Rule policies), so a turn late in a long
conversation paid for all the turns before it (77 of 123 ms at turn 120, docs/RESULTS.md).

The patch (applied by the runtime) keeps, per conversation and per way of asking, where the last
replay stopped: the replaying tracker, the states so far and the loop's two running values. When
the conversation's applied events start with the very same event objects it replays only the new
ones, running Rasa's own loop body on them. Anything else (a rewound or restarted session, a tracker
read back from a database, another domain, a training tracker) replays from the start as Rasa does.
The states handed out are copies, since Rasa's featurizers edit them, with the same sharing between
states as Rasa's (`state[USER]` of a rule-only step is the previous state's own dict).
The same holds for `DialogueStateTracker.applied_events` (the events left after rewinds and
restarts), which Rasa and our policies ask for a dozen times a turn, each time walking the whole
conversation: kept per conversation, it takes in only the new events, unless one of them names a
loop that the older events did not (Rasa reads every loop's name before it walks).
`tests/assistant/test_policy_states.py` checks both against Rasa's on every prefix of random
conversations.
"""

from __future__ import annotations

import json
import operator
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, Dict, FrozenSet, Hashable, List, Optional, Sequence, Tuple

# Conversations whose replays are kept; each holds a tracker and its states.
KEPT_REPLAYS = 512
USER = "user"   # rasa.shared.core.constants.USER, without importing Rasa with this module

State = Dict[str, Dict[str, Any]]

_rasa_states_for_tracker_history: Any = None   # Rasa's own, kept for the tests' comparison
_rasa_applied_events: Any = None
_rasa_max_history_prediction_states: Any = None
_replays: "OrderedDict[Hashable, _Replay]" = OrderedDict()
_walks: "OrderedDict[Hashable, _Walk]" = OrderedDict()
_lock = threading.Lock()


@dataclass
class _Replay:
    """Rasa's loop in `states_for_tracker_history`, stopped after `events`, before its last step."""

    domain: Any
    events: Sequence[Any]
    tracker: Any
    states: List[State] = field(default_factory=list)
    # `states` as a predicting featurizer leaves them (text removed where there is an intent),
    # made as far as `prediction_states` needed them
    stripped: List[State] = field(default_factory=list)
    unlikely_intent: bool = False      # one of `stripped` follows an `action_unlikely_intent`
    last_ml_action: Optional[Dict[str, Any]] = None
    turn_was_hidden: bool = False


@dataclass
class _Walk:
    """Rasa's walk in `DialogueStateTracker.applied_events`, stopped after `events`."""

    events: List[Any]
    loop_names: FrozenSet[str]
    applied: List[Any]


def keep_dialogue_states() -> None:
    """Patch `Domain.states_for_tracker_history` and `DialogueStateTracker.applied_events`
    (idempotent)."""
    global _rasa_states_for_tracker_history, _rasa_applied_events, _rasa_max_history_prediction_states
    if _rasa_states_for_tracker_history is not None:
        return
    from rasa.core.featurizers.tracker_featurizers import MaxHistoryTrackerFeaturizer
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    _rasa_max_history_prediction_states = MaxHistoryTrackerFeaturizer.prediction_states
    MaxHistoryTrackerFeaturizer.prediction_states = prediction_states

    _rasa_applied_events = DialogueStateTracker.applied_events
    DialogueStateTracker.applied_events = applied_events
    _rasa_states_for_tracker_history = Domain.states_for_tracker_history
    Domain.states_for_tracker_history = states_for_tracker_history


def forget_replays() -> None:
    """Drop every kept replay and walk (tests; a reloaded model's domain never matches an old one)."""
    with _lock:
        _replays.clear()
        _walks.clear()


def applied_events(tracker: Any) -> List[Any]:
    """What Rasa's `DialogueStateTracker.applied_events` returns, continuing the last walk."""
    from rasa.shared.core.events import ActiveLoop
    from rasa.shared.core.trackers import DialogueStateTracker

    if type(tracker) is not DialogueStateTracker:
        return list(_rasa_applied_events(tracker))
    events = tracker.events
    key = (tracker.sender_id, tracker.is_rule_tracker)
    with _lock:
        walk = _walks.pop(key, None)
    if walk is not None and _starts_with(events, walk.events):
        new = list(islice(events, len(walk.events), None))
        names = {e.name for e in new if isinstance(e, ActiveLoop) and e.name}
        if not names <= walk.loop_names:
            walk = None
    else:
        walk = None
    if walk is None:
        new = list(events)
        walk = _Walk([], frozenset(e.name for e in new if isinstance(e, ActiveLoop) and e.name), [])
    _walk(tracker, walk, new)
    walk.events.extend(new)
    with _lock:
        _walks[key] = walk
        while len(_walks) > KEPT_REPLAYS:
            _walks.popitem(last=False)
    return list(walk.applied)


def _walk(tracker: Any, walk: _Walk, events: List[Any]) -> None:
    """The loop of Rasa 3.6's `DialogueStateTracker.applied_events` over `events`, unchanged."""
    from rasa.shared.core.events import (
        ActionExecuted,
        ActionReverted,
        Restarted,
        SessionStarted,
        UserUtteranceReverted,
        UserUttered,
    )

    applied = walk.applied
    for event in events:
        if isinstance(event, (Restarted, SessionStarted)):
            applied.clear()
        elif isinstance(event, ActionReverted):
            tracker._undo_till_previous(ActionExecuted, applied)
        elif isinstance(event, UserUtteranceReverted):
            # a user message implies the listen before it: rewind both
            tracker._undo_till_previous(UserUttered, applied)
            tracker._undo_till_previous(ActionExecuted, applied)
        elif (isinstance(event, ActionExecuted) and event.action_name in walk.loop_names
              and not tracker._first_loop_execution_or_unhappy_path(event.action_name, applied)):
            tracker._undo_till_previous_loop_execution(event.action_name, applied)
        else:
            applied.append(event)


def states_for_tracker_history(
    domain: Any,
    tracker: Any,
    omit_unset_slots: bool = False,
    ignore_rule_only_turns: bool = False,
    rule_only_data: Optional[Dict[str, Any]] = None,
) -> List[State]:
    """What Rasa's `Domain.states_for_tracker_history` returns, continuing the last replay."""
    from rasa.shared.core.trackers import DialogueStateTracker

    if type(tracker) is not DialogueStateTracker:
        return _rasa_states(domain, tracker, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
    return copy_states(_advance(domain, tracker, (omit_unset_slots, ignore_rule_only_turns, rule_only_data))[1])


def _advance(domain: Any, tracker: Any, flags: Tuple[bool, bool, Optional[Dict[str, Any]]]
             ) -> Tuple[_Replay, List[State]]:
    """The conversation's kept replay, continued to the tracker's events, and the states
    (uncopied: the replay's own, then the state after every event)."""
    from rasa.shared.core.events import ActionExecuted

    key = _key(domain, tracker, flags)
    applied = tracker.applied_events()
    with _lock:
        replay = _replays.pop(key, None)
    if replay is None or replay.domain is not domain or not _starts_with(applied, replay.events):
        replay = _Replay(domain, [], tracker.init_copy())
    for event in applied[len(replay.events):]:
        if isinstance(event, ActionExecuted):
            _step(replay, replay.tracker, event.hide_rule_turn, flags)
        replay.tracker.update(event)
    replay.events = applied
    # Rasa's last step (the state after every event) is taken on a copy of the running values,
    # so the kept replay can go on from the events alone.
    last = _Replay(domain, applied, replay.tracker, list(replay.states), last_ml_action=replay.last_ml_action,
                   turn_was_hidden=replay.turn_was_hidden)
    _step(last, replay.tracker, False, flags)
    with _lock:
        _replays[key] = replay
        while len(_replays) > KEPT_REPLAYS:
            _replays.popitem(last=False)
    return replay, last.states


def _step(replay: _Replay, tr: Any, hide_rule_turn: bool,
          flags: Tuple[bool, bool, Optional[Dict[str, Any]]]) -> None:
    """One pass of the loop body of Rasa 3.6's `Domain.states_for_tracker_history`, unchanged."""
    from rasa.shared.core.constants import PREVIOUS_ACTION

    domain = replay.domain
    omit_unset_slots, ignore_rule_only_turns, rule_only_data = flags
    if ignore_rule_only_turns:
        # remember previous ml action based on the last non hidden turn
        if not replay.turn_was_hidden:
            replay.last_ml_action = domain._get_prev_action_sub_state(tr)
        # followup action or happy path loop prediction: keep whether the turn is hidden
        if not tr.followup_action and not tr.latest_action_name == tr.active_loop_name:
            replay.turn_was_hidden = hide_rule_turn
        if replay.turn_was_hidden:
            return
    state = domain.get_active_state(tr, omit_unset_slots=omit_unset_slots)
    if ignore_rule_only_turns:
        domain._remove_rule_only_features(state, rule_only_data)
        if replay.states:
            domain._substitute_rule_only_user_input(state, replay.states[-1])
        if replay.last_ml_action:
            state[PREVIOUS_ACTION] = replay.last_ml_action
    replay.states.append(domain._clean_state(state))


def prediction_states(featurizer: Any, trackers: List[Any], domain: Any, use_text_for_last_user_input: bool = False,
                      ignore_rule_only_turns: bool = False, rule_only_data: Optional[Dict[str, Any]] = None,
                      ignore_action_unlikely_intent: bool = False) -> List[List[State]]:
    """What Rasa's `MaxHistoryTrackerFeaturizer.prediction_states` returns.

    Without a max history (the Memoization and Rule policies here) it returns every state of the
    session, each with its user text removed where it has an intent, and the last one with the
    user input chosen. The states before the last user input are the same on every call, so
    they are made once per step and handed out again: the policies only read them (Memoization
    keys them as JSON, Rule matches rules against them). The last state, and the states that
    share its user sub-state (a rule-only turn reuses the previous one), are fresh copies edited
    as Rasa edits them.
    """
    from rasa.core.featurizers.tracker_featurizers import MaxHistoryTrackerFeaturizer
    from rasa.shared.core.trackers import DialogueStateTracker

    if (featurizer.max_history or len(trackers) != 1
            or type(featurizer) is not MaxHistoryTrackerFeaturizer or type(trackers[0]) is not DialogueStateTracker
            or getattr(type(domain), "states_for_tracker_history", None) is not states_for_tracker_history):
        return _rasa_prediction_states(featurizer, trackers, domain, use_text_for_last_user_input,
                                       ignore_rule_only_turns, rule_only_data, ignore_action_unlikely_intent)
    replay, states = _advance(domain, trackers[0], (False, ignore_rule_only_turns, rule_only_data))
    start = len(states) - 1
    last_user = states[-1].get(USER)
    while last_user is not None and start > 0 and states[start - 1].get(USER) is last_user:
        start -= 1
    with _lock:
        for state in replay.states[len(replay.stripped):start]:
            replay.stripped.append(_stripped(state))
            replay.unlikely_intent = replay.unlikely_intent or _after_unlikely_intent(state)
        # Rasa drops the states after `action_unlikely_intent` when asked; none is run here
        if ignore_action_unlikely_intent and (replay.unlikely_intent
                                              or any(_after_unlikely_intent(state) for state in states[start:])):
            stable = None
        else:
            stable = replay.stripped[:start]
    if stable is None:
        return _rasa_prediction_states(featurizer, trackers, domain, use_text_for_last_user_input,
                                       ignore_rule_only_turns, rule_only_data, ignore_action_unlikely_intent)
    tail = copy_states(states[start:])
    featurizer._choose_last_user_input([tail], use_text_for_last_user_input)   # Rasa's edit, on the copies
    return [stable + tail]


def _after_unlikely_intent(state: State) -> bool:
    return state.get("prev_action", {}).get("action_name") == "action_unlikely_intent"


def _stripped(state: State) -> State:
    """A copy of ``state`` as Rasa 3.6's `_remove_user_text_if_intent` leaves it."""
    user = state.get(USER)
    if not user or not (user.get("intent") and user.get("text")):
        return dict(state) if user is None else {**state, USER: dict(user)}
    return {**state, USER: {key: value for key, value in user.items() if key != "text"}}


def copy_states(states: List[State]) -> List[State]:
    """A copy of `states` and of their user sub-states (whose values are strings and tuples),
    keeping which states share a user sub-state.

    The user sub-state is the only part a predicting policy edits (Rasa 3.6's featurizers
    delete its text, intent or entities: `_remove_user_text_if_intent`, `_choose_last_user_input`;
    the Memoization and Rule policies and ours edit nothing), so slots, previous action and
    active loop are handed out as kept."""
    copies: Dict[int, Any] = {}
    out: List[State] = []
    for state in states:
        new = dict(state)
        user = state.get(USER)
        if user is not None:
            copied = copies.get(id(user))
            if copied is None:
                copied = copies[id(user)] = dict(user)
            new[USER] = copied
        out.append(new)
    return out


def _starts_with(events: Sequence[Any], prefix: Sequence[Any]) -> bool:
    # map(operator.is_) keeps the walk in C: a generator of `a is b` cost 14 ms a turn at turn 600
    return len(events) >= len(prefix) and all(map(operator.is_, events, prefix))


def _key(domain: Any, tracker: Any, flags: Tuple[bool, bool, Optional[Dict[str, Any]]]) -> Hashable:
    omit_unset_slots, ignore_rule_only_turns, rule_only_data = flags
    return (id(domain), tracker.sender_id, tracker.is_rule_tracker, tuple(tracker.slots),
            omit_unset_slots, ignore_rule_only_turns, json.dumps(rule_only_data, sort_keys=True, default=str))


def _rasa_prediction_states(featurizer: Any, trackers: List[Any], domain: Any, use_text_for_last_user_input: bool,
                            ignore_rule_only_turns: bool, rule_only_data: Optional[Dict[str, Any]],
                            ignore_action_unlikely_intent: bool) -> List[List[State]]:
    from rasa.core.featurizers.tracker_featurizers import MaxHistoryTrackerFeaturizer

    rasa_own = _rasa_max_history_prediction_states or MaxHistoryTrackerFeaturizer.prediction_states
    result: List[List[State]] = rasa_own(
        featurizer, trackers, domain, use_text_for_last_user_input=use_text_for_last_user_input,
        ignore_rule_only_turns=ignore_rule_only_turns, rule_only_data=rule_only_data,
        ignore_action_unlikely_intent=ignore_action_unlikely_intent)
    return result


def _rasa_states(domain: Any, tracker: Any, omit_unset_slots: bool, ignore_rule_only_turns: bool,
                 rule_only_data: Optional[Dict[str, Any]]) -> List[State]:
    from rasa.shared.core.domain import Domain

    rasa_own = _rasa_states_for_tracker_history or Domain.states_for_tracker_history
    result: List[State] = rasa_own(domain, tracker, omit_unset_slots=omit_unset_slots,
                                   ignore_rule_only_turns=ignore_rule_only_turns,
                                   rule_only_data=rule_only_data)
    return result
