"""action_tell_time: the home's (simulated) time."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions.common import turn_context
from assistant.services.timeparse import format_clock


class ActionTellTime(Action):
    """Says the time of the home's clock."""

    def name(self) -> Text:
        return "action_tell_time"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        now = turn_context(tracker).home.clock.now
        dispatcher.utter_message(text=f"It's {format_clock(now.strftime('%H:%M'))}.")
        return []
