"""validate_preference_form: the guided Q&A ("learn my preferences").

Asks only the categories this user has not told us (or told us long ago); each answer is
read by assistant/prefs/qa.py and stored at once, so the very next turn can use it.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from assistant.actions.common import evidence_of, turn_context
from assistant.prefs import qa
from assistant.prefs.keys import Polarity, PrefKey, Source
from assistant.services import preferences

log = logging.getLogger(__name__)


class ValidatePreferenceForm(FormValidationAction):
    """Validates each answer against the catalogs, stores it, and decides what to ask next."""

    def name(self) -> Text:
        return "validate_preference_form"

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> List[Text]:
        if tracker.get_slot("qa_stopped"):
            return []
        user = preferences.for_user(turn_context(tracker).user_id)
        known = [(p.key, p.updated_at) for p in user.prefs if p.polarity is Polarity.LIKE]
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        wanted = {qa.slot_for(key) for key in qa.keys_to_ask(known, now)}
        return [s for s in domain_slots if s in wanted or tracker.get_slot(s) is not None]

    def answer(self, key: PrefKey, value: Any, dispatcher: CollectingDispatcher,
               tracker: Tracker) -> Dict[Text, Any]:
        slot = qa.slot_for(key)
        answer = qa.read_answer(key, str(value or ""), tracker.get_slot("qa_suggestion"))
        user_id = turn_context(tracker).user_id
        kind = answer.kind
        if kind is qa.AnswerKind.STOP:
            return {slot: None, "qa_stopped": True, "qa_suggestion": None}
        if kind is qa.AnswerKind.SKIP:
            return {slot: qa.SKIPPED, "qa_suggestion": None}
        request = request_action(tracker) if kind is qa.AnswerKind.INVALID else None
        if kind is qa.AnswerKind.INVALID and _is_another_request(tracker) and (
                answer.suggestion is None or (answer.by_sound and request)):
            # Not an answer but a request ("tell me the weather"): end the questions instead of
            # reading it as a music genre; the summary then hands the request to its action. A
            # value it only sounds like ("is it going to snow": country?) doesn't outweigh a
            # request one action answers; a near spelling ("jazzz") is still asked about.
            said = str(value or "").strip()
            dispatcher.utter_message(text="Let's leave the questions there." if request else
                                     f"Let's leave the questions there. You asked \"{said}\": "
                                     "ask me again and I'll help with that.")
            return {slot: None, "qa_stopped": True, "qa_suggestion": None}
        if kind is qa.AnswerKind.INVALID:
            dispatcher.utter_message(text=answer.message)
            return {slot: None, "qa_suggestion": answer.suggestion}
        try:
            store = preferences.store()
            evidence = evidence_of(tracker)
            for statement in answer.statements:
                store.set(user_id, statement.key, statement.value, statement.polarity, Source.QA, evidence=evidence)
            if kind is qa.AnswerKind.VALUE:
                store.set(user_id, key, str(answer.value), Polarity.LIKE, Source.QA, evidence=evidence)
        except Exception as error:  # noqa: BLE001 - the store rolled back; say so, move on
            log.error("could not store a Q&A answer of %r: %s", user_id, error)
            dispatcher.utter_message(text="Sorry, I couldn't save that just now; let's go on.")
            return {slot: qa.SKIPPED, "qa_suggestion": None}
        if kind is qa.AnswerKind.ELSEWHERE:
            noted = [preferences.describe(s.key, s.value, s.polarity) for s in answer.statements]
            dispatcher.utter_message(text="Noted: " + preferences.join(noted) + ".")
            return {slot: None, "qa_suggestion": None}
        return {slot: answer.value, "qa_suggestion": None}


# NLU this sure that an answer which is no catalog value is a request of its own ends the Q&A.
# 0.9 was DIET's; the linear classifier is less sure of right answers (p10 0.59, p25 0.76 on
# SLURP devel), and at 0.9 simulated people's "bedroom lights on please" (turn_on 0.79) was
# read as a music genre ("I don't know the music genre ..."). 0.6, as the teachable policy's check.
REQUEST_CONFIDENCE = 0.6


def request_action(tracker: Tracker) -> str | None:
    """The name of the action that answers the latest message, when it is a request of its own
    that one action answers (the rules'), else None."""
    action = request_handler(tracker)
    return None if action is None else str(action.name())


def request_handler(tracker: Tracker) -> Any:
    """The action (an instance) that answers the latest message, as `request_action` names it."""
    from assistant.actions.concept_steps import step_action

    if not _is_another_request(tracker):
        return None
    return step_action((tracker.latest_message.get("intent") or {}).get("name"))


def _is_another_request(tracker: Tracker) -> bool:
    from assistant.teachable.signals import NOT_REQUESTS

    intent = tracker.latest_message.get("intent") or {}
    return (intent.get("name") not in NOT_REQUESTS
            and float(intent.get("confidence") or 0.0) >= REQUEST_CONFIDENCE)


def _validator(key: PrefKey) -> Any:
    async def validate(self: ValidatePreferenceForm, slot_value: Any, dispatcher: CollectingDispatcher,
                       tracker: Tracker, domain: Dict[Text, Any]) -> Dict[Text, Any]:
        return self.answer(key, slot_value, dispatcher, tracker)

    validate.__name__ = f"validate_{qa.slot_for(key)}"
    return validate


for _key in qa.QA_KEYS:
    setattr(ValidatePreferenceForm, f"validate_{qa.slot_for(_key)}", _validator(_key))
