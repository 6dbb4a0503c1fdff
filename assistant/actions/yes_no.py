"""action_yes_no: a yes or a no, answering the question the assistant asked last (if any)."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions.common import FORGOT_EVERYTHING, FORGOT_KEY, turn_context
from assistant.services import preferences, teaching

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
        if pending and pending.startswith(teaching.CHECK_PREFIX):
            return self.checked(dispatcher, tracker, ctx.user_id, ctx.intent == "affirm", pending)
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
                # Typed, for the runtime: "*" has every other store forget the user too.
                forgot = [FORGOT_EVERYTHING] if scope is None else [k.value for k in scope]
                dispatcher.utter_message(json_message={FORGOT_KEY: forgot})
        return [SlotSet("pending_question", None)] if pending else []

    @staticmethod
    def checked(dispatcher: CollectingDispatcher, tracker: Tracker, user_id: str, yes: bool,
                pending: str) -> List[Dict[Text, Any]]:
        """The answer to "Did I answer your question?": a no is a teachable moment."""
        if yes:
            dispatcher.utter_message(text="Great.")
            return [SlotSet("pending_question", None)]
        moment = teaching.checked_moment(pending)
        offer = teaching.offer_for(moment, preferences.for_user(user_id),
                                   tracker.get_slot("teaching_declined") or {},
                                   teaching.message_time(tracker.latest_message.get("metadata")))
        log.info("teachable moment for %r: %s -> %s", user_id, moment, offer.pending)
        dispatcher.utter_message(text=offer.text)
        return [SlotSet("teachable_moment", moment), SlotSet("pending_question", offer.pending)]
