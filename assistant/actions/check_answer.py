"""action_check_answer: "Did I answer your question?" after a low-confidence answer."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions.common import answer_rested_on
from assistant.services import teaching


class ActionCheckAnswer(Action):
    """Asks whether the answer helped; a no is a teachable moment (see action_yes_no)."""

    def name(self) -> Text:
        return "action_check_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name") or ""
        dispatcher.utter_message(text="Did I answer your question?")
        rested = answer_rested_on(tracker.events)
        return [SlotSet("pending_question", teaching.check_question(intent, rested.key if rested else None))]
