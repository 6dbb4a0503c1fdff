"""action_habits_answer: a yes or a no to the habits layer's question ("Shall I remember
that?", the routine offer), or a no to "Can you teach me?"."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions.common import evidence_of, turn_context
from assistant.actions.concept_steps import slot_events
from assistant.habits import pending

NEVER_MIND = "Okay, never mind."
NOT_KEPT = "Okay, I won't remember \"{name}\"."
KEPT = "Done: say \"{name}\" whenever you like."
ROUTINE_DECLINED = "Okay, I won't."
ROUTINE_ACCEPTED = "Done: every morning after your alarm, I'll start the coffee."


class ActionHabitsAnswer(Action):
    """Carries out (or calls off) the open habits question, then closes it."""

    def name(self) -> Text:
        return "action_habits_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        ctx = turn_context(tracker)
        asked = pending.waiting(tracker.get_slot(pending.PENDING))
        name = str(tracker.get_slot(pending.PENDING_NAME) or "")
        yes = ctx.intent == "affirm"
        if asked is None:
            from assistant.actions.yes_no import ActionYesNo

            return await ActionYesNo().run(dispatcher, tracker, domain)
        if asked is pending.Waiting.STEPS:
            dispatcher.utter_message(text=NEVER_MIND)
        elif asked is pending.Waiting.CONFIRM:
            if yes:
                self.remember(ctx.user_id, name, tracker.get_slot(pending.PENDING_STEPS) or [])
                dispatcher.utter_message(text=KEPT.format(name=name))
            else:
                dispatcher.utter_message(text=NOT_KEPT.format(name=name))
        elif yes:
            from assistant.prefs.keys import COFFEE_AFTER_ALARM, Polarity, PrefKey, Source
            from assistant.services import preferences

            preferences.store().set(ctx.user_id, PrefKey.MORNING_ROUTINE, COFFEE_AFTER_ALARM, Polarity.LIKE,
                                    Source.ASSISTANT, evidence=evidence_of(tracker))
            dispatcher.utter_message(text=ROUTINE_ACCEPTED)
        else:
            dispatcher.utter_message(text=ROUTINE_DECLINED)
        return slot_events(pending.cleared())

    @staticmethod
    def remember(user_id: str, name: str, steps: List[Dict[str, Any]]) -> None:
        from assistant.habits.store import for_actions

        texts = [str(s.get("text")) for s in steps if isinstance(s, dict)]
        for_actions().save_concept(user_id, name, texts, [s.get("parse") for s in steps if isinstance(s, dict)])
