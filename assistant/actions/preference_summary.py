"""action_preference_summary: what the guided Q&A learnt, then a clean slate for the next one."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions.validate_preference_form import request_handler
from assistant.prefs import qa
from assistant.prefs.keys import Polarity
from assistant.services import preferences


class ActionPreferenceSummary(Action):
    """Confirms what was learnt and skipped, and resets the Q&A's slots."""

    def name(self) -> Text:
        return "action_preference_summary"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        answers = {key: tracker.get_slot(qa.slot_for(key)) for key in qa.QA_KEYS}
        learnt = [preferences.describe(k, v, Polarity.LIKE) for k, v in answers.items()
                  if v not in (None, qa.SKIPPED)]
        skipped = [k.label for k, v in answers.items() if v == qa.SKIPPED]
        stopped = bool(tracker.get_slot("qa_stopped"))
        # Stopped by a request of its own ("how did my team do?"): what was learnt, then its answer.
        request = request_handler(tracker) if stopped else None
        if request is None:
            dispatcher.utter_message(text=summary_text(learnt, skipped, stopped))
        elif learnt:
            dispatcher.utter_message(text="I learnt that " + preferences.join(learnt) + ".")
        slots = [qa.slot_for(k) for k in qa.QA_KEYS] + ["qa_stopped", "qa_suggestion"]
        events: List[Dict[Text, Any]] = [SlotSet(slot, None) for slot in slots if tracker.get_slot(slot) is not None]
        if request is not None:
            # Answered here rather than by a FollowupAction: no rule follows the summary with
            # another action, and the policies' guess after one was the fallback.
            events += await request.run(dispatcher, tracker, domain)
        return events


def summary_text(learnt: list[str], skipped: list[str], stopped: bool) -> str:
    """ "Thanks! I learnt that you like jazz and ... Skipped: cuisine." and the other cases."""
    if not learnt and not skipped and not stopped:
        return ("I already know all of your preferences. Ask \"what do you know about me?\" to hear "
                "them, or tell me a change, like \"I prefer Celsius\".")
    parts = []
    if learnt:
        parts.append(("Okay, stopping. " if stopped else "Thanks! ")
                     + "I learnt that " + preferences.join(learnt) + ".")
    else:
        parts.append("Okay, stopping. I didn't learn anything new." if stopped else
                     "Okay, I didn't learn anything new.")
    if skipped:
        parts.append("Skipped: " + ", ".join(skipped) + ".")
    parts.append("You can change any of it by telling me, like \"I prefer Celsius\".")
    return " ".join(parts)
