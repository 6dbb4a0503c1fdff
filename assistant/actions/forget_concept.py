"""action_forget_concept: "forget movie time"."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions.common import turn_context


class ActionForgetConcept(Action):
    """Deletes one of the user's taught phrases."""

    def name(self) -> Text:
        return "action_forget_concept"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        from assistant.habits.store import for_actions

        ctx = turn_context(tracker)
        name = ctx.entity(tracker, "concept") or ""
        if name and for_actions().forget_concept(ctx.user_id, name):
            dispatcher.utter_message(text=f"Okay, I've forgotten what \"{name}\" means.")
        else:
            dispatcher.utter_message(text=f"I don't know what \"{name}\" means, so there's nothing to forget.")
        return []
