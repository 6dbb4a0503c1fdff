"""action_yes_no: a yes or a no, answering the question the assistant asked last (if any)."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions.common import turn_context
from assistant.services import preferences

log = logging.getLogger(__name__)

# Below this confidence a "yes" or "no" is not trusted: nonsense ("asdfgh qwerty") can land
# on affirm just above the NLU fallback threshold, and a yes may delete data.
MIN_CONFIDENCE = 0.8
NOT_UNDERSTOOD = ("Sorry, I didn't understand that. Could you say it another way? "
                  "Say \"help\" for examples.")


class ActionYesNo(Action):
    """Carries out (or calls off) the pending question; without one, a plain "Okay."."""

    def name(self) -> Text:
        return "action_yes_no"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        ctx = turn_context(tracker)
        pending = tracker.get_slot("pending_question")
        scope = preferences.parse_forget_question(pending) if pending else False
        confidence = float(((tracker.latest_message or {}).get("intent") or {}).get("confidence") or 0.0)
        if confidence < MIN_CONFIDENCE:
            if scope is False:
                dispatcher.utter_message(text=NOT_UNDERSTOOD)
                return [SlotSet("pending_question", None)] if pending else []
            dispatcher.utter_message(text="Sorry, was that a yes or a no?")
            return []
        if scope is False:
            dispatcher.utter_message(text="Okay.")
        elif ctx.intent != "affirm":
            dispatcher.utter_message(text="Okay, I'll keep it.")
        else:
            try:
                removed = preferences.forget(ctx.user_id, scope)
            except Exception as error:  # noqa: BLE001 - the store rolled back; say so
                log.error("could not forget %s for %r: %s", scope, ctx.user_id, error)
                dispatcher.utter_message(text="Sorry, I couldn't forget that just now. "
                                              "Nothing was changed; please try again.")
            else:
                dispatcher.utter_message(text=f"Done: I've forgotten {preferences.scope_words(scope)} "
                                              f"({removed} item{'s' if removed != 1 else ''}).")
        return [SlotSet("pending_question", None)] if pending else []
