"""action_device_state: answer "is the garage door open?" and the like."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions.common import turn_context
from assistant.services.describe import describe
from assistant.services.resolution import kind_in, resolve, room_in


class ActionDeviceState(Action):
    """Describes the state of the device(s) the question is about."""

    def name(self) -> Text:
        return "action_device_state"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        ctx = turn_context(tracker)
        kind = kind_in(ctx.text, ctx.entity(tracker, "device"))
        room = room_in(ctx.text, ctx.entity(tracker, "room"))
        target = resolve(ctx.home, ctx.speaking, kind=kind, room=room)
        if not target.ok:
            dispatcher.utter_message(text=target.message)
            return []
        dispatcher.utter_message(text=" ".join(describe(d) for d in target.devices))
        return []
