"""action_forget_preferences: "forget my music preference" asks for a yes first."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions.common import turn_context
from assistant.services import preferences

WHICH = ("What should I forget: your music, team, food, home city, temperature unit, news source "
         "or morning routine preference, or everything about you?")


class ActionForgetPreferences(Action):
    """Names what would be forgotten and waits for a yes (action_yes_no does the deleting)."""

    def name(self) -> Text:
        return "action_forget_preferences"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        ctx = turn_context(tracker)
        scope = preferences.forget_scope(ctx.text)
        if scope == ():
            dispatcher.utter_message(text=WHICH)
            return [SlotSet("pending_question", None)]
        user = preferences.for_user(ctx.user_id)
        if user.error:
            dispatcher.utter_message(text="Sorry, I can't reach what I know about you right now.")
            return [SlotSet("pending_question", None)]
        held = [p.value for p in user.prefs if scope is None or p.key in scope]
        if scope is None:
            try:
                held += [f"\"{c.said}\"" for c in preferences.store().corrections(ctx.user_id)]
            except Exception:  # noqa: BLE001 - the preferences alone still answer
                pass
        if not held:
            dispatcher.utter_message(text=f"There's nothing to forget: I don't have "
                                          f"{preferences.scope_words(scope)} stored.")
            return [SlotSet("pending_question", None)]
        values = ", ".join(dict.fromkeys(held))
        dispatcher.utter_message(text=f"Forget {preferences.scope_words(scope)} ({values})? "
                                      "Say yes or no.")
        return [SlotSet("pending_question", preferences.forget_question(scope))]
