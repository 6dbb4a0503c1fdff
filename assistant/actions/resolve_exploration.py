"""action_resolve_exploration: the answer to "Should I A, or B?".

A chosen reading is replayed as the user's message (the original words and entities, the
chosen intent, this turn's context), so the policies answer it as if NLU had read it so;
"neither" asks the user to say it another way. Either way the reply is tagged with the choice
for the log (``{"exploration": {"options": [a, b], "choice": ...}}``).
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SlotSet, UserUttered
from rasa_sdk.executor import CollectingDispatcher

from assistant.exploration import JSON_KEY, NEITHER, REPLAYED_KEY, RESOLVE, SLOT, UNCLEAR
from assistant.exploration.options import resolve

NEITHER_REPLY = "Okay, neither. Could you say it another way?"
UNCLEAR_REPLY = "Sorry, I still didn't get it. Could you say it another way?"


class ActionResolveExploration(Action):
    """Runs the reading the user chose, or asks them to rephrase."""

    def name(self) -> Text:
        return RESOLVE

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        pending = tracker.get_slot(SLOT)
        latest = tracker.latest_message or {}
        options = tuple(pending.get("options") or ()) if isinstance(pending, dict) else ()
        reading = latest.get("intent") or {}
        choice = resolve(str(latest.get("text") or ""), options, reading.get("name"),
                         float(reading.get("confidence") or 0.0)) if options else UNCLEAR
        tag = {JSON_KEY: {"options": list(options), "choice": choice}}
        if choice in (NEITHER, UNCLEAR):
            dispatcher.utter_message(text=NEITHER_REPLY if choice == NEITHER else UNCLEAR_REPLY, json_message=tag)
            return [SlotSet(SLOT, None)]
        dispatcher.utter_message(json_message=tag)
        return [SlotSet(SLOT, None), ActionExecuted("action_listen"), replay(pending, choice, latest)]


def replay(pending: dict[str, Any], intent: str, latest: dict[str, Any]) -> Dict[Text, Any]:
    """The user message that says the original words with the chosen intent, in this turn's
    context (the home as it is now), marked so that nobody asks about it again."""
    metadata = {**(latest.get("metadata") or {}), REPLAYED_KEY: True}
    entities = [dict(e) for e in pending.get("entities") or [] if isinstance(e, dict)]
    reading = {"name": intent, "confidence": 1.0}
    parse = {"text": pending.get("text") or "", "intent": reading, "intent_ranking": [reading],
             "entities": entities}
    event = UserUttered(pending.get("text") or "", parse_data=parse, input_channel=latest.get("input_channel"))
    event["metadata"] = metadata
    return event
