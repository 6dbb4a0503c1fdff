"""action_ask_concept: "what does movie time mean?"; about an unknown phrase, "Can you teach me?"."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions.common import turn_context
from assistant.actions.concept_steps import slot_events, turn_time
from assistant.habits import concepts as cx
from assistant.habits import pending

NOT_UNDERSTOOD = ("Sorry, I didn't understand that. Could you say it another way? "
                  "Say \"help\" for examples.")


class ActionAskConcept(Action):
    """Describes a taught phrase, or offers to learn it (the answer is the next turn's)."""

    def name(self) -> Text:
        return "action_ask_concept"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        from assistant.habits.recognise import teaching_question
        from assistant.habits.store import for_actions
        from assistant.learning.config import LearningFlags

        ctx = turn_context(tracker)
        name = ctx.entity(tracker, "concept") or ""
        known = {c.name: c.steps for c in for_actions().concepts(ctx.user_id)}
        if name in known:
            dispatcher.utter_message(text=f"When you say \"{name}\", I {cx.describe_steps(known[name])}.")
            return []
        if not name or not LearningFlags.from_metadata((tracker.latest_message or {}).get("metadata")).teachable:
            dispatcher.utter_message(text=NOT_UNDERSTOOD)
            return []
        dispatcher.utter_message(text=teaching_question(name))
        return slot_events(pending.ask(pending.Waiting.STEPS, name, turn_time(tracker)))
