"""action_offer_teaching: on a teachable moment, offer to learn what would have helped."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions.common import turn_context
from assistant.services import preferences, teaching

log = logging.getLogger(__name__)


class ActionOfferTeaching(Action):
    """Apologises and, when a preference would help, asks for it (unless declined lately)."""

    def name(self) -> Text:
        return "action_offer_teaching"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        from assistant.learning.config import LearningFlags

        ctx = turn_context(tracker)
        if not LearningFlags.from_metadata(tracker.latest_message.get("metadata")).teachable:
            # Learning is off (a simulation arm): apologise, offer nothing.
            dispatcher.utter_message(text=teaching.APOLOGY)
            return [SlotSet("pending_question", None)]
        moment = tracker.get_slot("teachable_moment") or {"signals": ["dissatisfaction"]}
        offer = teaching.offer_for(moment, preferences.for_user(ctx.user_id),
                                   tracker.get_slot("teaching_declined") or {},
                                   teaching.message_time(tracker.latest_message.get("metadata")))
        log.info("teachable moment for %r: %s -> %s", ctx.user_id, moment, offer.pending)
        if offer.text:
            dispatcher.utter_message(text=offer.text)
        events = [SlotSet("pending_question", offer.pending)]
        if offer.suggestion:   # "Is Miami, Florida your home city?": a yes means this value
            events.append(SlotSet("qa_suggestion", offer.suggestion))
        return events
