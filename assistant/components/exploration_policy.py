"""ExplorationPolicy (issue 15): when NLU is torn between two readings of a request, ask which
was meant ("Should I play something, or tell you the weather?"); the answer runs the chosen
reading and is logged, so the self-labelling pipeline learns the original words from it.

Like the TeachableMomentPolicy it predicts only at a few points, with confidence 1.0 and a
priority above it and the RulePolicy, and abstains (all zeros) elsewhere:
- right after a user message that answers the open question (picks a reading, or "neither"):
  action_resolve_exploration; anything else (a new request) is left to the other policies;
- right after a torn request, within the bounds (`assistant.exploration.bounds`, read from the
  interaction log): action_explore, with the question kept in the `exploration` slot;
- right after its own actions: action_listen (the resolution replays the chosen reading as a
  user message, which the other policies then answer).
It runs only when the message's learning flags say ``explore``.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, Optional, Text

from rasa.core.policies.policy import PolicyPrediction
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from assistant.components.threshold_policy import SKIP_EVENTS, ThresholdPolicy, actions_since_user
from assistant.exploration import ASK, REPLAYED_KEY, RESOLVE, SLOT
from assistant.exploration.bounds import Bounds, refusal, torn

logger = logging.getLogger(__name__)

OWN_ACTIONS = frozenset({ASK, RESOLVE})


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class ExplorationPolicy(ThresholdPolicy):
    """Asks which of two close readings was meant, within bounds, and resolves the answer."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        defaults = Bounds()
        return {
            "priority": 8,  # above the TeachableMomentPolicy (7) and the RulePolicy (6)
            "margin": defaults.margin,
            "min_second": defaults.min_second,
            "max_share": defaults.max_share,
            "known_good_successes": defaults.known_good_successes,
        }

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 execution_context: ExecutionContext, featurizer: Any = None) -> None:
        super().__init__(config, model_storage, resource, execution_context, featurizer)
        self.bounds = Bounds(margin=float(config["margin"]), min_second=float(config["min_second"]),
                             max_share=float(config["max_share"]),
                             known_good_successes=int(config["known_good_successes"]))

    def predict_action_probabilities(
        self, tracker: DialogueStateTracker, domain: Domain,
        rule_only_data: Optional[Dict[Text, Any]] = None, **kwargs: Any,
    ) -> PolicyPrediction:
        abstain = self._abstain(domain)
        latest = tracker.latest_message
        metadata = (latest.metadata if latest else None) or {}
        if tracker.active_loop_name or not _enabled(metadata):
            return abstain
        since_user = actions_since_user(tracker)
        if since_user is None:
            return abstain
        if since_user:
            return self._predict(domain, ACTION_LISTEN_NAME) if since_user[-1] in OWN_ACTIONS else abstain
        if metadata.get(REPLAYED_KEY):
            return abstain   # the chosen reading, replayed: the other policies answer it
        pending = tracker.get_slot(SLOT)
        if isinstance(pending, dict) and previous_bot_action(tracker) == ASK:
            if _answers(pending, latest):
                return self._predict(domain, RESOLVE)
            return abstain   # not an answer (a new request, the user moved on): the others handle it
        if tracker.get_slot("pending_question"):
            return abstain   # the user is answering another question
        options = torn((latest.parse_data or {}).get("intent_ranking") or [], self.bounds)
        if options is None:
            return abstain
        user_id = str(metadata.get("user_id") or tracker.sender_id)
        why = refusal(_history(metadata, user_id, latest.text or ""), self.bounds)
        if why is not None:
            logger.debug("torn between %s for %s, not asked: %s", options, user_id, why.value)
            return abstain
        question = {"text": latest.text, "options": list(options),
                    "entities": [{k: e.get(k) for k in ("entity", "value", "start", "end")}
                                 for e in latest.entities or []]}
        logger.info("exploration for %s: %s", user_id, question)
        return self._predict(domain, ASK, [SlotSet(SLOT, question)])


def _answers(pending: dict[str, Any], latest: Any) -> bool:
    """Whether the message answers the open question: it picks an option or says "neither"."""
    from assistant.exploration import UNCLEAR
    from assistant.exploration.options import resolve

    options = tuple(str(o) for o in pending.get("options") or ())
    reading = (latest.intent or {}) if latest is not None else {}
    return bool(options) and resolve(latest.text or "", options, reading.get("name"),
                                     float(reading.get("confidence") or 0.0)) != UNCLEAR


def _enabled(metadata: dict[str, Any]) -> bool:
    from assistant.learning.config import LearningFlags

    return LearningFlags.from_metadata(metadata).explore


def _history(metadata: dict[str, Any], user_id: str, text: str) -> Any:
    """The user's exploration history from the message's learning database (None without one)."""
    from assistant.exploration.logs import history

    return history(metadata, user_id, text)


def previous_bot_action(tracker: DialogueStateTracker) -> Optional[str]:
    """The last action before the latest user message (listen and bookkeeping left out)."""
    seen_user = False
    for event in reversed(tracker.applied_events()):
        if isinstance(event, UserUttered):
            if seen_user:
                return None
            seen_user = True
        elif seen_user and isinstance(event, ActionExecuted) and event.action_name \
                and event.action_name not in SKIP_EVENTS and event.action_name != ACTION_LISTEN_NAME:
            return event.action_name
    return None
