"""QueryRewriter: an NLU component placed before the tokenizer that rewrites what was heard
into what works, keeping the original text beside it (`text_original`, and `rewrite` with
the source, the rewrite's id and why).

The component is a thin shell: the decisions live in `assistant.learning.online` (the user's
own corrections, then precomputed pairs, then global and personal retrieval), so that they
can change without retraining the model. Its thresholds are this component's config in
config.yml.
"""

from __future__ import annotations

import logging
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
    """Rewrites a message's text with corrections, mined pairs and retrieval."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        from assistant.learning.online import RewriterConfig

        return RewriterConfig().to_dict()

    def __init__(self, config: Dict[Text, Any]) -> None:
        from assistant.learning.online import RewriterConfig

        self._config = RewriterConfig.from_dict(config)

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "QueryRewriter":
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        from assistant.learning.online import rewrite

        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            try:
                decision = rewrite(text, message.get(METADATA) or {}, self._config)
            except Exception as error:  # noqa: BLE001 - no rewrite is better than a failed turn
                logger.error("the rewriter failed on %r: %s", text[:80], error)
                continue
            if decision is not None:
                message.set(ORIGINAL, text, add_to_output=True)
                message.set(REWRITE, decision.to_output(), add_to_output=True)
                message.set(TEXT, decision.text)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training examples are already what users mean."""
        return training_data
