"""action_ask_qa_<key>: the guided Q&A's questions, one action per category (Rasa's form asks
a slot through `action_ask_<slot>`). The first question of a Q&A comes with the introduction."""

from __future__ import annotations

import abc
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from assistant.prefs import qa
from assistant.prefs.keys import PrefKey
from assistant.turn import ANSWERED_KEY


class AskQuestion(Action, abc.ABC):
    """Asks about one preference category (abstract: rasa_sdk registers the subclasses)."""

    @property
    @abc.abstractmethod
    def key(self) -> PrefKey:
        """The category asked about."""

    def name(self) -> Text:
        return f"action_ask_{qa.slot_for(self.key)}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        question = qa.QUESTIONS[self.key]
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        began = intent == "learn_preferences"
        if began:
            question = f"{qa.INTRO} {question}"
        dispatcher.utter_message(text=question, json_message={ANSWERED_KEY: {"questions": "asked"}} if began else None)
        return []


# One subclass per category: rasa_sdk registers every Action subclass it finds.
for _key in qa.QA_KEYS:
    _name = "Ask" + "".join(part.title() for part in _key.value.split("_"))
    globals()[_name] = type(_name, (AskQuestion,), {"key": _key, "__doc__": f"Asks for the {_key.label}."})
