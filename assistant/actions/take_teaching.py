"""action_take_teaching: the answer to an offer to learn, stored (or the offer declined)."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions.common import evidence_of, turn_context
from assistant.prefs import qa
from assistant.prefs.keys import Polarity, PrefKey, Source
from assistant.prefs.statements import declares_home
from assistant.services import preferences, teaching

log = logging.getLogger(__name__)


class ActionTakeTeaching(Action):
    """Stores the answer as taught on the assistant's initiative, then answers the request that
    needed it again; a no is remembered for a while."""

    def name(self) -> Text:
        return "action_take_teaching"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        ctx = turn_context(tracker)
        key = teaching.offered_key(tracker.get_slot("pending_question"))
        events: list[Dict[Text, Any]] = [SlotSet("pending_question", None), SlotSet("qa_suggestion", None)]
        if key is None:
            dispatcher.utter_message(text="Okay.")
            return events
        if key is not PrefKey.HOME_CITY and declares_home(ctx.text):
            # "i live in awesome, texas" said to "What kind of music do you like?": no answer to the
            # offer but a statement of its own, told as one ("Did you mean Austin, Texas?").
            from assistant.actions.store_preference import ActionStorePreference

            return events + await ActionStorePreference().run(dispatcher, tracker, domain)
        suggestion = tracker.get_slot("qa_suggestion")
        answer = qa.read_answer(key, ctx.text, suggestion)
        if suggestion and answer.kind is not qa.AnswerKind.VALUE and teaching.says_yes(ctx.text, ctx.intent):
            answer = qa.Answer(qa.AnswerKind.VALUE, suggestion)   # "yes it is", "yeah that is correct"
        # A value said is an answer whatever intent NLU gave it ("hip hop" is no "stop").
        declining = teaching.declines(ctx.text, ctx.intent) and answer.kind is not qa.AnswerKind.VALUE
        if declining or answer.kind in (qa.AnswerKind.SKIP, qa.AnswerKind.STOP):
            declined = dict(tracker.get_slot("teaching_declined") or {})
            declined[key.value] = teaching.message_time(tracker.latest_message.get("metadata"))
            confirming = teaching.confirms(tracker.get_slot("teachable_moment"))
            if confirming and suggestion:   # "Is jazz the kind of music you like?" "no": nor inferred
                _reject(ctx.user_id, key, str(suggestion), declined[key.value])
            dispatcher.utter_message(text="Okay, I won't remember it." if confirming
                                     else "Okay, I won't ask about that for a while.")
            return events + [SlotSet("teaching_declined", declined)]
        if answer.kind is qa.AnswerKind.INVALID:  # ask again ("Did you mean ...?"); a new request lets it lapse
            asks = answer.message.rstrip().endswith("?")   # "Did you mean ...?", "Which Wilkerson ...?"
            again = "" if asks else " " + (teaching.OFFER_QUESTIONS.get(key) or qa.QUESTIONS.get(key) or qa.hint(key))
            dispatcher.utter_message(text=answer.message + again)
            return [SlotSet("qa_suggestion", answer.suggestion)]
        learnt = list(answer.statements)
        evidence = evidence_of(tracker)
        try:
            store = preferences.store()
            for statement in learnt:
                store.set(ctx.user_id, statement.key, statement.value, statement.polarity, Source.ASSISTANT,
                          evidence=evidence)
            if answer.kind is qa.AnswerKind.VALUE:
                store.set(ctx.user_id, key, str(answer.value), Polarity.LIKE, Source.ASSISTANT, evidence=evidence)
        except Exception as error:  # noqa: BLE001 - the store rolled back; say so
            log.error("could not store what %r taught: %s", ctx.user_id, error)
            dispatcher.utter_message(text="Sorry, I couldn't save that just now.")
            return events
        said = [preferences.describe(s.key, s.value, s.polarity) for s in learnt]
        if answer.kind is qa.AnswerKind.VALUE:
            said.insert(0, preferences.describe(key, str(answer.value), Polarity.LIKE))
        dispatcher.utter_message(text="Thanks, I'll remember that " + preferences.join(said) + ".")
        resume = teaching.resume_action(tracker.get_slot("teachable_moment")) if answer.kind is qa.AnswerKind.VALUE \
            else None
        return events + [FollowupAction(resume)] if resume else events


def _reject(user_id: str, key: Any, value: str, when: float) -> None:
    """A "no" to "Is <value> your ...?": learning from activity lowers the value now and discounts
    the evidence before it (`assistant.habits.implicit.reject`); a broken store is logged, not raised."""
    import datetime as dt

    from assistant.habits import store as habit_store
    from assistant.habits.implicit import reject

    at = dt.datetime.fromtimestamp(when, dt.timezone.utc).replace(tzinfo=None)
    try:
        reject(preferences.store(), habit_store.for_actions(), user_id, key, value, at)
    except Exception as error:  # noqa: BLE001 - the no was heard; only the inference keeps it
        log.error("could not mark %r's no to %s %r: %s", user_id, key, value, error)
