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
"""

from __future__ import annotations

import copy
from typing import Any

_rasa_copy: Any = None   # Rasa's own, kept for the tests' comparison


def copy_trackers_without_replay() -> None:
    """Patch `DialogueStateTracker.copy` (idempotent)."""
    global _rasa_copy
    if _rasa_copy is not None:
        return
    from rasa.shared.core.trackers import DialogueStateTracker

    _rasa_copy = DialogueStateTracker.copy
    DialogueStateTracker.copy = copy_tracker


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
