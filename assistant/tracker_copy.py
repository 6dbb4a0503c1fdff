"""A copy of a Rasa tracker without replaying its conversation.

Rasa copies the tracker before every action it runs (`MessageProcessor._run_action`:
`tracker.copy()`), and its copy replays every event of the conversation into a new tracker, so
two actions a turn cost a replay each, growing with the conversation. The state a replay ends in
is the tracker's own (Rasa restores every tracker from its events), so the patch (applied by the
runtime) copies that state: the events, a copy of each slot, the latest message, action and bot
utterance, the active loop, the follow-up action and the pause. What Rasa's copy leaves out
(`model_id`, `assistant_id`, `sender_source`) it leaves out too; what a replay does besides
(a `StoryExported` event writes its file again) is not done again. Trackers of other types,
trackers without a domain's slots, and trackers that keep only their last events (whose replay
differs from their state) are copied as Rasa does. `tests/assistant/test_tracker_copy.py` checks it against Rasa's copy on every
prefix of random conversations.

The same holds for the tracker Rasa hands `action_validate_slot_mappings` on every turn
(`ActionExtractSlots._execute_validation_action`): the session since its latest restart and the
extracted slots, replayed into a new tracker with the domain's slots. When nothing was restarted
and the tracker's slots are the domain's, that is the tracker's copy with the slot events applied
(`validation_tracker`).
"""

from __future__ import annotations

import copy
from typing import Any, Dict, Iterable, List

_rasa_copy: Any = None   # Rasa's own, kept for the tests' comparison
_rasa_validation: Any = None
# A slot's settings: everything but its value (which the events set).
_VALUE_FIELDS = frozenset({"_value", "_has_been_set"})


def copy_trackers_without_replay() -> None:
    """Patch `DialogueStateTracker.copy` (idempotent)."""
    global _rasa_copy, _rasa_validation
    if _rasa_copy is not None:
        return
    from rasa.core.actions.action import ActionExtractSlots
    from rasa.shared.core.trackers import DialogueStateTracker

    _rasa_copy = DialogueStateTracker.copy
    DialogueStateTracker.copy = copy_tracker
    _rasa_validation = ActionExtractSlots._execute_validation_action
    ActionExtractSlots._execute_validation_action = _execute_validation_action


def copy_tracker(tracker: Any) -> Any:
    """What Rasa's `DialogueStateTracker.copy` returns, without the replay."""
    from rasa.shared.core.trackers import AnySlotDict, DialogueStateTracker

    if (type(tracker) is not DialogueStateTracker or tracker._max_event_history is not None
            or isinstance(tracker.slots, AnySlotDict)):
        return _rasa_copy(tracker)
    duplicate = tracker.init_copy()
    duplicate.events.extend(tracker.events)
    for name, slot in tracker.slots.items():
        duplicate.slots[name] = copy.copy(slot)
    duplicate._paused = tracker._paused
    duplicate.followup_action = tracker.followup_action
    duplicate.latest_action = None if tracker.latest_action is None else dict(tracker.latest_action)
    duplicate.latest_message = tracker.latest_message
    duplicate.latest_bot_utterance = tracker.latest_bot_utterance
    duplicate.active_loop = copy.copy(tracker.active_loop)
    return duplicate


def validation_tracker(tracker: Any, slot_events: List[Any], domain: Any) -> Any:
    """What Rasa 3.6 builds for `action_validate_slot_mappings`: `DialogueStateTracker.from_events`
    over the events since the latest restart and ``slot_events``, with the domain's slots."""
    from rasa.shared.core.trackers import DialogueStateTracker

    since_restart = tracker.events_after_latest_restart()
    if (len(since_restart) != len(tracker.events) or tracker.is_rule_tracker or not tracker.sender_id
            or not _same_slots(tracker.slots.values(), domain.slots)):
        return DialogueStateTracker.from_events(tracker.sender_id, since_restart + list(slot_events),
                                                slots=domain.slots)
    duplicate = copy_tracker(tracker)
    for event in slot_events:
        duplicate.update(event)
    return duplicate


def _same_slots(ours: Iterable[Any], theirs: Iterable[Any]) -> bool:
    ours, theirs = list(ours), list(theirs)
    return len(ours) == len(theirs) and all(
        type(a) is type(b) and _settings(a) == _settings(b) for a, b in zip(ours, theirs))


def _settings(slot: Any) -> Dict[str, Any]:
    return {key: value for key, value in vars(slot).items() if key not in _VALUE_FIELDS}


async def _execute_validation_action(self: Any, extraction_events: List[Any], output_channel: Any, nlg: Any,
                                     tracker: Any, domain: Any) -> List[Any]:
    """Rasa 3.6's `ActionExtractSlots._execute_validation_action`, its tracker from `validation_tracker`."""
    from rasa.shared.core.constants import ACTION_VALIDATE_SLOT_MAPPINGS
    from rasa.shared.core.events import SlotSet

    slot_events = [event for event in extraction_events if isinstance(event, SlotSet)]
    if ACTION_VALIDATE_SLOT_MAPPINGS not in domain.user_actions:
        return slot_events
    validate_events: List[Any] = await self._run_custom_action(
        ACTION_VALIDATE_SLOT_MAPPINGS, output_channel, nlg, validation_tracker(tracker, slot_events, domain), domain)
    validated = {event.key for event in validate_events if isinstance(event, SlotSet)}
    # an extracted slot the custom action returned no SlotSet for is taken as valid (Rasa's rule)
    return validate_events + [event for event in slot_events if event.key not in validated]
