"""TaughtPhrase: an NLU component after the intent classifier that recognises taught phrases.

For the speaking user's own phrase ("movie time", read from the habit store through the user id
in the message metadata, as the QueryRewriter reads the stores) it sets ``run_concept`` with
the ``concept`` entity; a teaching ("when I say movie time, dim the lights ..."), "forget movie
time" and "what does movie time mean?" get ``teach_concept``, ``forget_concept`` and
``ask_concept``. The phrase grammar is `assistant.habits.recognise`. A habits intent the
classifier guessed that the grammar does not confirm gives way to the next intent of the
ranking (the FallbackClassifier after this component judges its confidence). The teaching's
name and step texts are in the parse as ``habits_phrase``, for the teach action.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, METADATA, TEXT
from rasa.shared.nlu.training_data.message import Message

logger = logging.getLogger(__name__)

PHRASE = "habits_phrase"
ENTITY = "concept"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class TaughtPhrase(GraphComponent):
    """Sets the habits intents from the phrase grammar and the user's taught phrases."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._config = config

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "TaughtPhrase":
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            try:
                self._process(message)
            except Exception as error:  # noqa: BLE001 - the classifier's answer is better than a failed turn
                logger.error("TaughtPhrase failed on %r: %s", str(message.get(TEXT) or "")[:80], error)
        return messages

    def _process(self, message: Message) -> None:
        from assistant.habits.recognise import HABITS_INTENTS, recognise

        text = message.get(TEXT)
        if not text:
            return
        metadata = message.get(METADATA) or {}
        found = recognise(text, _known(metadata.get("user_id")), offer_teaching=_teachable(metadata))
        if found is None:
            if (message.get(INTENT) or {}).get("name") in HABITS_INTENTS:
                _give_way(message, HABITS_INTENTS)
            return
        intent = {"name": found.intent, "confidence": 1.0}
        ranking = [intent] + [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != found.intent]
        message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        entity = {"entity": ENTITY, "value": found.name, "start": 0, "end": len(text), "confidence": 1.0,
                  "extractor": type(self).__name__}
        message.set(ENTITIES, [entity], add_to_output=True)
        message.set(PHRASE, found.to_output(), add_to_output=True)


def _known(user_id: Any) -> list[str]:
    """The user's concept names (none for a message without a user, e.g. an NLU-only parse)."""
    if not user_id:
        return []
    from assistant.habits.store import for_actions

    return [c.name for c in for_actions().concepts(str(user_id))]


def _teachable(metadata: Dict[Text, Any]) -> bool:
    return (metadata.get("learning") or {}).get("teachable", True) is not False


def _give_way(message: Message, intents: frozenset[str]) -> None:
    """The best intent of the ranking that is not a habits intent (or none)."""
    ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") not in intents]
    best = ranking[0] if ranking else {"name": None, "confidence": 0.0}
    message.set(INTENT, dict(best), add_to_output=True)
    message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
