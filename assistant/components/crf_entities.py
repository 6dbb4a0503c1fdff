"""Rasa's CRF entity extractor, loaded instead of retrained at every start.

Rasa 3.6's `CRFEntityExtractor` persists its training set and fits the CRF again in
`load()`: 3.8 of the model's 4.5 s load here (2 cores, ~3,000 examples), on every start of
the chat, the simulator and the service. This subclass also keeps the fitted taggers
(sklearn-crfsuite's CRF objects pickle their own model bytes) and loads them directly;
a model without them falls back to Rasa's way.
"""

from __future__ import annotations

import logging
import pickle
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.crf_entity_extractor import CRFEntityExtractor, CRFToken

logger = logging.getLogger(__name__)
TAGGERS_FILE = "crf_taggers.pkl"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class FastLoadCRFEntityExtractor(CRFEntityExtractor):
    """`CRFEntityExtractor` that persists its fitted taggers (see the module docstring)."""

    def persist(self, dataset: List[List[CRFToken]]) -> None:
        """Rasa's files, plus the fitted taggers."""
        super().persist(dataset)
        with self._model_storage.write_to(self._resource) as folder:
            with (folder / TAGGERS_FILE).open("wb") as file:
                pickle.dump(dict(self.entity_taggers or {}), file)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "FastLoadCRFEntityExtractor":
        """The fitted taggers when the model has them (our own file); else Rasa's refit."""
        import json
        from collections import OrderedDict

        try:
            with model_storage.read_from(resource) as folder:
                path = folder / TAGGERS_FILE
                if path.exists():
                    with path.open("rb") as file:
                        taggers = pickle.load(file)  # noqa: S301 - our own model file
                    extractor = cls(config, model_storage, resource, OrderedDict(taggers))
                    extractor.crf_order = json.loads((folder / "crf_order.json").read_text())
                    return extractor
        except (ValueError, OSError, pickle.UnpicklingError) as error:
            logger.debug(f"No fitted CRF taggers ({error}); refitting as Rasa does.")
        return super().load(config, model_storage, resource, execution_context, **kwargs)
