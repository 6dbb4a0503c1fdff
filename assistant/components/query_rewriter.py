"""QueryRewriter: an NLU component placed before the tokenizer that rewrites what was heard
into what the user means, keeping the original text beside it.

Today it applies the user's own corrections ("when I say 'the big light' I mean the living
room light"), read per message from the preference store for the `user_id` in the
message's metadata. The mined global and personal rewrites will join it here.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import METADATA, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

ORIGINAL = "text_original"
REWRITE = "rewrite"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class QueryRewriter(GraphComponent):
    """Rewrites a message's text with the speaking user's corrections."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._config = config

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "QueryRewriter":
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            user_id = (message.get(METADATA) or {}).get("user_id")
            if not text or not user_id:
                continue
            rewritten, applied = apply_corrections(text, _corrections(str(user_id)))
            if applied:
                message.set(ORIGINAL, text, add_to_output=True)
                message.set(REWRITE, {"source": "personal_correction", "applied": applied},
                            add_to_output=True)
                message.set(TEXT, rewritten)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training examples are already what users mean."""
        return training_data


def apply_corrections(text: str, corrections: List[tuple[str, str]]) -> tuple[str, List[Dict[str, str]]]:
    """Replace each ``said`` phrase (whole words, any case) by ``meant``; longest phrases first."""
    applied = []
    for said, meant in sorted(corrections, key=lambda c: -len(c[0])):
        pattern = re.compile(rf"(?<!\w){re.escape(said)}(?!\w)", re.IGNORECASE)
        text, count = pattern.subn(lambda _m: meant, text)
        if count:
            applied.append({"said": said, "meant": meant})
    return text, applied


def _corrections(user_id: str) -> List[tuple[str, str]]:
    from assistant.services import preferences

    try:
        return [(c.said, c.meant) for c in preferences.store().corrections(user_id)]
    except Exception as error:  # noqa: BLE001 - no rewrite is better than a failed turn
        logger.warning("could not read corrections of %r: %s", user_id, error)
        return []
