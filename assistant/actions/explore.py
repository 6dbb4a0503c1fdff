"""action_explore: "Should I <one reading>, or <the other>?" when NLU was torn between two."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from assistant.exploration import ASK, JSON_KEY, SLOT
from assistant.exploration.options import askable, question


class ActionExplore(Action):
    """Asks which of the two readings the ExplorationPolicy put in the `exploration` slot was
    meant, and tags the reply with them for the log (``{"exploration": {"asked": [a, b]}}``)."""

    def name(self) -> Text:
        return ASK

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        pending = tracker.get_slot(SLOT)
        options = tuple(pending.get("options") or ()) if isinstance(pending, dict) else ()
        if len(options) != 2 or not all(askable(o) for o in options):
            dispatcher.utter_message(text="Sorry, I didn't get that. Could you say it another way?")
            return [SlotSet(SLOT, None)]
        dispatcher.utter_message(text=question((options[0], options[1])),
                                 json_message={JSON_KEY: {"asked": list(options)}})
        return []
