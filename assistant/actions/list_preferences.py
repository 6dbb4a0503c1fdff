"""action_list_preferences: "what do you know about me?"."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions.common import turn_context
from assistant.habits import apply
from assistant.habits import store as habit_store
from assistant.services import preferences

STORE_DOWN = "Sorry, I can't reach what I know about you right now."


class ActionListPreferences(Action):
    """Lists the speaking user's stored preferences."""

    def name(self) -> Text:
        return "action_list_preferences"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        user_id = turn_context(tracker).user_id
        user = preferences.for_user(user_id)
        if user.error:
            dispatcher.utter_message(text=STORE_DOWN)
            return []
        try:
            corrections = preferences.store().corrections(user_id)
        except Exception:  # noqa: BLE001 - list what can be read
            corrections = []
        try:
            concepts = habit_store.for_actions().concepts(user_id)
        except Exception:  # noqa: BLE001 - list what can be read
            concepts = []
        dispatcher.utter_message(text=apply.summary(user.prefs, corrections, concepts))
        return []
