"""action_check_answer: "Did I answer your question?" after a low-confidence answer."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions.common import answer_rested_on
from assistant.prefs.keys import PrefKey
from assistant.services import teaching

CHECK = "Did I answer your question?"


class ActionCheckAnswer(Action):
    """Asks whether the answer helped; a no is a teachable moment (see action_yes_no)."""

    def name(self) -> Text:
        return "action_check_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name") or ""
        dispatcher.utter_message(text=CHECK)
        rested = answer_rested_on(tracker.events)
        return [SlotSet("pending_question", teaching.check_question(intent, rested.key if rested else None))]


def check_a_guess(dispatcher: CollectingDispatcher, tracker: Tracker, key: PrefKey) -> List[Dict[Text, Any]]:
    """After an answer that guessed for want of ``key``: "Did I answer your question?" when it is
    due (`assistant.services.teaching.guess_check`; off where the message's metadata turns
    teachable moments off), its pending question as the event."""
    latest = tracker.latest_message or {}
    metadata = latest.get("metadata") or {}
    learning = metadata.get("learning") or {}
    asked = [str(e.get("value")) for e in tracker.applied_events()
             if e.get("event") == "slot" and e.get("name") == "pending_question" and isinstance(e.get("value"), str)]
    pending = teaching.guess_check(
        (latest.get("intent") or {}).get("name") or "", key,
        enabled=learning.get("teachable", True) is not False, pending=tracker.get_slot("pending_question"),
        asked=asked, declined=tracker.get_slot("teaching_declined") or {}, now=teaching.message_time(metadata))
    if pending is None:
        return []
    dispatcher.utter_message(text=CHECK)
    return [SlotSet("pending_question", pending)]
