"""action_store_correction: "when I say 'the big light' I mean the living room light"."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions.common import turn_context
from assistant.services import preferences

log = logging.getLogger(__name__)

MIN_SAID = 3
MAX_PHRASE = 80
HOW = ("Tell me like this: \"when I say 'the big light' I mean the living room light\".")


class ActionStoreCorrection(Action):
    """Stores a personal rewrite that the QueryRewriter applies from the next turn on."""

    def name(self) -> Text:
        return "action_store_correction"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        from assistant.prefs.statements import parse_correction

        ctx = turn_context(tracker)
        original = (tracker.latest_message or {}).get("text_original") or ctx.text
        correction = parse_correction(original)
        if correction is None:
            dispatcher.utter_message(text=f"I didn't catch what you mean. {HOW}")
            return []
        if len(correction.said) < MIN_SAID or max(len(correction.said), len(correction.meant)) > MAX_PHRASE:
            dispatcher.utter_message(text=f"That phrase is too short or too long for me to remember. {HOW}")
            return []
        try:
            preferences.store().add_correction(ctx.user_id, correction.said, correction.meant)
        except Exception as error:  # noqa: BLE001 - the store rolled back; say so
            log.error("could not store a correction of %r: %s", ctx.user_id, error)
            dispatcher.utter_message(text="Sorry, I couldn't save that just now.")
            return []
        dispatcher.utter_message(text=f"Got it: when you say \"{correction.said}\", "
                                      f"I'll take it as \"{correction.meant}\".")
        return []
