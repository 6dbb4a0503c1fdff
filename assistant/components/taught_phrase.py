"""TaughtPhrase: an NLU component after the intent classifier that recognises taught phrases.

For the speaking user's own phrase ("movie time", read from the habit store through the user id
in the message metadata, as the QueryRewriter reads the stores) it sets ``run_concept`` with
the ``concept`` entity; a teaching ("when I say movie time, dim the lights ..."), "forget movie
time" and "what does movie time mean?" get ``teach_concept``, ``forget_concept`` and
``ask_concept``. The phrase grammar is `assistant.habits.recognise`. A habits intent the
classifier guessed that the grammar does not confirm gives way to the next intent of the
ranking (the FallbackClassifier after this component judges its confidence). The teaching's
name and step texts are in the parse as ``habits_phrase``, for the teach action. "Start it"
soon after the alarm is ``start_coffee`` for a user whose morning routine that is (taught, or
mined from the interaction log the message names), marked ``habits_routine``.
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
ROUTINE = "habits_routine"
ENTITY = "concept"
COFFEE_INTENT = "start_coffee"


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
            if _routine(text, metadata):
                self._set(message, COFFEE_INTENT, [])
                message.set(ROUTINE, {"routine": "coffee after the alarm"}, add_to_output=True)
            elif (message.get(INTENT) or {}).get("name") in HABITS_INTENTS:
                _give_way(message, HABITS_INTENTS)
            return
        entity = {"entity": ENTITY, "value": found.name, "start": 0, "end": len(text), "confidence": 1.0,
                  "extractor": type(self).__name__}
        self._set(message, found.intent, [entity])
        message.set(PHRASE, found.to_output(), add_to_output=True)

    @staticmethod
    def _set(message: Message, name: str, entities: List[Dict[Text, Any]]) -> None:
        intent = {"name": name, "confidence": 1.0}
        ranking = [intent] + [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != name]
        message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        message.set(ENTITIES, entities, add_to_output=True)


def _known(user_id: Any) -> list[str]:
    """The user's concept names (none for a message without a user, e.g. an NLU-only parse)."""
    if not user_id:
        return []
    from assistant.habits.store import for_actions

    return [c.name for c in for_actions().concepts(str(user_id))]


def _routine(text: str, metadata: Dict[Text, Any]) -> bool:
    """ "Start it" after the alarm, for a user whose routine is the coffee (the home as the message's
    context has it; the routine mined from the interaction log the message names)."""
    from assistant.habits.concepts import normalize
    from assistant.habits.hook import VAGUE_START, means_coffee

    home = (metadata.get("context") or {}).get("home")
    if not (VAGUE_START.match(normalize(text)) and metadata.get("user_id") and home):
        return False
    from assistant.home import Home
    from assistant.services import preferences

    return means_coffee(text, str(metadata["user_id"]), Home.from_snapshot(home), preferences=preferences.store(),
                        log=_log(metadata))


_LOGS: dict[str, Any] = {}   # interaction logs opened, by URL (store handles, no dialogue state)


def _log(metadata: Dict[Text, Any]) -> Any:
    """The interaction log of the message's learning database, when this process serves it."""
    from assistant.learning import online
    from assistant.learning.log import InteractionLog

    url = (metadata.get("learning") or {}).get(online.STORE_KEY)
    if not isinstance(url, str) or online._state_for(metadata) is None:  # noqa: SLF001 - a registered database only
        return None
    if url not in _LOGS:
        _LOGS[url] = InteractionLog.open(url)
    return _LOGS[url]


def _teachable(metadata: Dict[Text, Any]) -> bool:
    return (metadata.get("learning") or {}).get("teachable", True) is not False


def _give_way(message: Message, intents: frozenset[str]) -> None:
    """The best intent of the ranking that is not a habits intent (or none)."""
    ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") not in intents]
    best = ranking[0] if ranking else {"name": None, "confidence": 0.0}
    message.set(INTENT, dict(best), add_to_output=True)
    message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
