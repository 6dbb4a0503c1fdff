"""action_validate_slot_mappings: fill the context slots from the message metadata each turn."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions.common import turn_context
from assistant.actions.concept_steps import lapse_events
from assistant.services import teaching

YES_NO_INTENTS = ("affirm", "deny")


class ValidateSlotMappings(Action):
    """Context slots (speaking device, its room, whether it has a screen, time of day, oven on),
    and the lapse of a yes/no question nobody answered."""

    def name(self) -> Text:
        return "action_validate_slot_mappings"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        ctx = turn_context(tracker)
        oven_on = any(
            d.kind.value == "oven" and d.state.get("power") == "on" for d in ctx.home.devices.values()
        )
        wanted = {
            "speaking_device": ctx.speaking.id,
            "room": ctx.speaking.room,
            "has_screen": ctx.speaking.has_screen,
            "time_of_day": ctx.home.clock.time_of_day.value,
            "oven_on": oven_on,
        }
        events = [SlotSet(k, v) for k, v in wanted.items() if tracker.get_slot(k) != v]
        # A pending question lapses when the user says something else: a yes/no question
        # unless answered yes or no (a check also by a no in other words, which the teachable
        # policy reads), an offer to learn unless the message answers it.
        pending = tracker.get_slot("pending_question")
        if pending:
            answered = (teaching.answers_offer(pending, ctx.text, ctx.intent, tracker.get_slot("qa_suggestion"))
                        if teaching.offered_key(pending) else ctx.intent in YES_NO_INTENTS
                        or teaching.says_no_to_check(pending, ctx.text, ctx.intent))
            if not answered:
                events.append(SlotSet("pending_question", None))
                if teaching.offered_key(pending) and tracker.get_slot("qa_suggestion"):
                    events.append(SlotSet("qa_suggestion", None))   # its "Did you mean ...?" lapses too
        events.extend(lapse_events(tracker, ctx.intent))   # the habits question (domain/habits.yml)
        return events
