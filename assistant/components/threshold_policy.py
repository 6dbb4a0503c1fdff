"""What the two confidence-threshold policies (`TeachableMomentPolicy`, `ExplorationPolicy`)
share: nothing to train, a prediction is one action at confidence 1.0 (or abstaining, all
zeros), and they look at the actions run since the user's latest message.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

# Bookkeeping actions Rasa runs around every message: never "an action since the user".
SKIP_EVENTS = frozenset({"action_extract_slots", "action_validate_slot_mappings", "action_session_start"})

class ThresholdPolicy(Policy):
    """A policy deciding by thresholds over the conversation: it learns nothing, and predicts
    one action with confidence 1.0 (`_predict`) or abstains (`_abstain`)."""

    def train(self, training_trackers: List[TrackerWithCachedStates], domain: Domain,
              **kwargs: Any) -> Resource:
        """Nothing to learn: the decision is thresholds over the conversation."""
        with self._model_storage.write_to(self._resource):
            pass
        return self._resource

    def _abstain(self, domain: Domain) -> PolicyPrediction:
        return self._prediction(self._default_predictions(domain))

    def _predict(self, domain: Domain, action: str, events: Optional[list] = None) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        probabilities[domain.index_for_action(action)] = 1.0
        return self._prediction(probabilities, optional_events=events)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "ThresholdPolicy":
        return cls(config, model_storage, resource, execution_context)


def actions_since_user(tracker: DialogueStateTracker) -> Optional[list[str]]:
    """Actions run since the latest user message (bookkeeping left out); None: no user message."""
    actions: list[str] = []
    for event in reversed(tracker.applied_events()):
        if isinstance(event, UserUttered):
            return list(reversed(actions))
        if isinstance(event, ActionExecuted) and event.action_name and event.action_name not in SKIP_EVENTS:
            actions.append(event.action_name)
    return None
