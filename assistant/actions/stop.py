"""action_stop: stop what is playing near the user."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions.common import send_directives, turn_context


class ActionStop(Action):
    """Stops media playing on the speaking device, or anywhere in its room."""

    def name(self) -> Text:
        return "action_stop"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        from assistant.home import Directive, DirectiveVerb

        ctx = turn_context(tracker)
        playing = [d for d in ctx.home.devices.values()
                   if d.state.get("playing") and d.room == ctx.speaking.room]
        if not playing:
            dispatcher.utter_message(text="Okay.")
            return []
        dispatcher.utter_message(text="Okay, stopped.")
        send_directives(dispatcher, [Directive(DirectiveVerb.STOP, d.id, None) for d in playing])
        return []
