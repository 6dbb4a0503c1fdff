"""action_take_teaching: the answer to an offer to learn, stored (or the offer declined)."""

from __future__ import annotations

import logging
import time
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions.common import turn_context
from assistant.prefs import qa
from assistant.prefs.keys import Polarity, Source
from assistant.services import preferences, teaching

log = logging.getLogger(__name__)


class ActionTakeTeaching(Action):
    """Stores the answer as taught on the assistant's initiative; a no is remembered for a while."""

    def name(self) -> Text:
        return "action_take_teaching"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        ctx = turn_context(tracker)
        key = teaching.offered_key(tracker.get_slot("pending_question"))
        events: list[Dict[Text, Any]] = [SlotSet("pending_question", None)]
        if key is None:
            dispatcher.utter_message(text="Okay.")
            return events
        answer = qa.read_answer(key, ctx.text)
        if ctx.intent in ("deny", "stop") or answer.kind in (qa.AnswerKind.SKIP, qa.AnswerKind.STOP):
            declined = dict(tracker.get_slot("teaching_declined") or {})
            declined[key.value] = time.time()
            dispatcher.utter_message(text="Okay, I won't ask about that for a while.")
            return events + [SlotSet("teaching_declined", declined)]
        if answer.kind is qa.AnswerKind.INVALID:  # ask again; a new request lets it lapse
            dispatcher.utter_message(text=answer.message)
            return []
        learnt = list(answer.statements)
        try:
            store = preferences.store()
            for statement in learnt:
                store.set(ctx.user_id, statement.key, statement.value, statement.polarity, Source.ASSISTANT)
            if answer.kind is qa.AnswerKind.VALUE:
                store.set(ctx.user_id, key, str(answer.value), Polarity.LIKE, Source.ASSISTANT)
        except Exception as error:  # noqa: BLE001 - the store rolled back; say so
            log.error("could not store what %r taught: %s", ctx.user_id, error)
            dispatcher.utter_message(text="Sorry, I couldn't save that just now.")
            return events
        said = [preferences.describe(s.key, s.value, s.polarity) for s in learnt]
        if answer.kind is qa.AnswerKind.VALUE:
            said.insert(0, preferences.describe(key, str(answer.value), Polarity.LIKE))
        dispatcher.utter_message(text="Thanks, I'll remember that " + preferences.join(said) + ".")
        return events
