"""action_store_preference: "I'm a Warriors fan", "I don't like country music"."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions.common import evidence_of, turn_context
from assistant.services import preferences

log = logging.getLogger(__name__)

NOTHING_PLAYING = ("Nothing I know is playing right now, so I can't tell which music you mean. "
                   "You can tell me things like \"I like jazz\" or \"I'm a big Adele fan\".")
NOT_A_STATEMENT = ("I didn't catch a preference there. You can tell me things like \"I like jazz\", "
                   "\"I'm a Warriors fan\" or \"I prefer Celsius\".")
SAVE_FAILED = "Sorry, I couldn't save that just now. Please try again in a moment."
READ_AS_STATEMENT = "read_as_statement"   # assistant.components.scoped_fallback.READ_AS_STATEMENT


class ActionStorePreference(Action):
    """Finds the preferences in the user's words (spaCy) and stores them for this user."""

    def name(self) -> Text:
        return "action_store_preference"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        from assistant.prefs import now_playing
        from assistant.prefs.keys import Source
        from assistant.prefs.statements import Statement, parse_statements
        from assistant.prefs.values import check_value

        ctx = turn_context(tracker)
        latest = tracker.latest_message or {}
        statements = parse_statements(ctx.text)
        if not statements and now_playing.points_at_playing(ctx.text):
            # "save this song": the value is what is playing, not in the words.
            taste = now_playing.taste_for_playing(ctx.text, ctx.home, ctx.speaking)
            if taste is None:
                dispatcher.utter_message(text=NOTHING_PLAYING)
                return []
            statements = [Statement(taste.key, taste.value, taste.polarity, "this")]
        if not statements:
            return self._not_caught(dispatcher, ctx.text, understood=not latest.get(READ_AS_STATEMENT))
        saved: list[str] = []
        problems: list[str] = []
        before = preferences.for_user(ctx.user_id)
        for statement in statements:
            checked = check_value(statement.key, statement.value)
            if checked.value is None:
                problems.append(checked.message)
                continue
            try:
                preferences.store().set(ctx.user_id, statement.key, checked.value,
                                        statement.polarity, Source.STATEMENT, evidence=evidence_of(tracker))
            except Exception as error:  # noqa: BLE001 - tell the user; the store rolled back
                log.error("could not store %s for %r: %s", statement, ctx.user_id, error)
                problems.append(SAVE_FAILED)
                break
            saved.append(preferences.describe(statement.key, checked.value, statement.polarity)
                         + preferences.change_note(before, statement.key, checked.value, statement.polarity))
        parts = []
        if saved:
            parts.append("Got it: " + preferences.join(saved) + ".")
        parts.extend(dict.fromkeys(problems))
        dispatcher.utter_message(text=" ".join(parts))
        return []

    @staticmethod
    def _not_caught(dispatcher: CollectingDispatcher, text: str, *, understood: bool) -> List[Dict[Text, Any]]:
        """No value said outright: ask about the one the words sound like ("Did you mean
        reggae?", answered by action_take_teaching), else say what a statement looks like; or,
        when NLU only read the words as a statement because it understood nothing else
        (``understood`` false), that it did not understand them."""
        asked = ask_about_heard(dispatcher, text)
        if asked is None:
            dispatcher.utter_message(**({"text": NOT_A_STATEMENT} if understood else {"response": "utter_default"}))
            return []
        return asked


def ask_about_heard(dispatcher: CollectingDispatcher, text: str) -> List[Dict[Text, Any]] | None:
    """ "I didn't quite catch that. Did you mean Adele?" about the one catalog value a statement's
    words sound like, with the question's slots; None (nothing said) when they sound like none."""
    from rasa_sdk.events import SlotSet

    from assistant.prefs.keys import PrefKey
    from assistant.prefs.values import heard_like
    from assistant.services.teaching import OFFER_PREFIX

    guess = heard_like(text)
    if guess is None:
        return None
    key, value = guess
    article = "the " if key is PrefKey.SPORTS_TEAM else ""
    dispatcher.utter_message(text=f"I didn't quite catch that. Did you mean {article}{value}?")
    return [SlotSet("pending_question", OFFER_PREFIX + key.value), SlotSet("qa_suggestion", value),
            SlotSet("teachable_moment", None)]
