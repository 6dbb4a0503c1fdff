"""TeachableMomentPolicy: a Rasa policy that sees the whole tracker and notices when the
assistant is failing a user (a repeated request, "no, that's wrong", a barge-in), then
predicts the offer to learn. Low-confidence answers get "Did I answer your question?".

It predicts only at these points, with confidence 1.0 and a priority above the RulePolicy,
and abstains (all zeros) everywhere else, so the other policies run the dialogue:
- right after a user message: the answer to a pending offer (action_take_teaching), or the
  offer itself on explicit dissatisfaction;
- right after the assistant answered a request: the offer on a repeat or barge-in, else
  the check question when NLU was unsure;
- right after its own actions: action_listen.
The thresholds are in config.yml; each moment is logged and kept in the
`teachable_moment` slot with its signals.
"""

from __future__ import annotations

import functools
import logging
from typing import Any, Dict, Optional, Sequence, Text

from rasa.core.policies.policy import PolicyPrediction
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from assistant.components.threshold_policy import SKIP_EVENTS, ThresholdPolicy, actions_since_user
from assistant.prefs.keys import PrefKey
from assistant.services.teaching import (
    OFFER_PREFIX,
    RESUME_ACTIONS,
    message_time,
    own_time,
    recently_declined,
    says_no_to_check,
)
from assistant.similarity import pair_cosine
from assistant.teachable.signals import (
    NOT_REQUESTS,
    Thresholds,
    UserTurn,
    corrected_guess,
    detect,
    needs_preference,
)
from assistant.turn import ANSWERED_KEY, PROBLEM_KEY, RESTED_ON_KEY, RestedOn

logger = logging.getLogger(__name__)

OFFER = "action_offer_teaching"
TAKE = "action_take_teaching"
CHECK = "action_check_answer"
OWN_ACTIONS = frozenset({OFFER, TAKE, CHECK})
RESUMED = frozenset(RESUME_ACTIONS.values())   # what action_take_teaching may run next (FollowupAction)
# Turns after which no moment is looked for (the user is answering the assistant, or a form runs).
QUIET_ACTIONS = OWN_ACTIONS | {"action_yes_no", "preference_form", "action_preference_summary",
                               "action_store_preference", "action_forget_preferences",
                               "action_list_preferences", "utter_default", "utter_out_of_scope",
                               "action_explore", "action_resolve_exploration"}
# ... and after which earlier turns no longer count (an answered exploration replays the request).
# The user turns the detector is given (the latest ones).
KEPT_TURNS = 8
SETTLING_ACTIONS = frozenset({OFFER, TAKE, "action_store_preference", "action_preference_summary",
                              "action_resolve_exploration"})
# Answers that are not a success reply, whatever they say.
FALLBACK_ACTIONS = frozenset({"action_default_fallback", "utter_default", "utter_out_of_scope",
                              "action_two_stage_fallback", CHECK})
FALLBACK_INTENTS = frozenset({"nlu_fallback", "out_of_scope"})


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class TeachableMomentPolicy(ThresholdPolicy):
    """Detects teachable moments from the conversation and predicts the offer to learn."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        defaults = Thresholds()
        return {
            "priority": 7,  # above RulePolicy (6): it wins ties at confidence 1.0
            "repeat_similarity": defaults.repeat_similarity,
            "repeat_overlap": defaults.repeat_overlap,
            "repeat_turns": defaults.repeat_turns,
            "repeat_seconds": defaults.repeat_seconds,
            "check_confidence": defaults.check_confidence,
            "distinct_confidence": defaults.distinct_confidence,
        }

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 execution_context: ExecutionContext, featurizer: Any = None) -> None:
        super().__init__(config, model_storage, resource, execution_context, featurizer)
        self.thresholds = Thresholds(
            repeat_similarity=float(config["repeat_similarity"]),
            repeat_overlap=float(config["repeat_overlap"]),
            repeat_turns=int(config["repeat_turns"]),
            repeat_seconds=float(config["repeat_seconds"]),
            check_confidence=float(config["check_confidence"]),
            distinct_confidence=float(config["distinct_confidence"]),
        )

    def predict_action_probabilities(
        self, tracker: DialogueStateTracker, domain: Domain,
        rule_only_data: Optional[Dict[Text, Any]] = None, **kwargs: Any,
    ) -> PolicyPrediction:
        abstain = self._abstain(domain)
        if tracker.active_loop_name:
            return abstain
        since_user = actions_since_user(tracker)
        if since_user is None:
            return abstain
        pending = tracker.get_slot("pending_question") or ""
        if not since_user and pending.startswith(OFFER_PREFIX):   # asked whatever the arm: answered the same
            return self._predict(domain, TAKE)
        if not _enabled(tracker):
            return abstain
        if since_user and (since_user[-1] in OWN_ACTIONS or (TAKE in since_user and since_user[-1] in RESUMED)):
            return self._predict(domain, ACTION_LISTEN_NAME)   # after its own actions, and a request resumed
        if not since_user:  # right after the user's message
            intent = (tracker.latest_message.intent or {}).get("name")
            if intent == "complain" or says_no_to_check(pending, tracker.latest_message.text or "", intent):
                moment = detect(_as_complaint(_user_turns(tracker)), _similarity, self.thresholds)
                if moment is not None and not _misheard(moment):
                    return self._offer(domain, tracker, moment)
            return abstain  # repeats and barge-ins are judged once the request is answered
        if since_user[-1] == ACTION_LISTEN_NAME or set(since_user) & QUIET_ACTIONS:
            return abstain
        turns = _user_turns(tracker)
        # The user named their own value right after a guess: ask whether it is theirs, once a
        # conversation (and never "Sorry I keep getting that wrong" about an answer that served them).
        corrected = corrected_guess(turns, self.thresholds) if not pending else None
        if corrected is not None:
            if _declined(tracker, corrected.key) or _offered(tracker, corrected.key):
                return abstain
            return self._offer(domain, tracker, corrected)
        moment = detect(turns, _similarity, self.thresholds)
        if moment is not None and not _misheard(moment):
            return self._offer(domain, tracker, moment)
        current = turns[-1] if turns else None
        guess = needs_preference(current) if current is not None and not pending else None
        if (guess is not None and not _declined(tracker, guess.key) and not _offered(tracker, guess.key)
                and not _misheard(guess)):
            return self._offer(domain, tracker, guess)
        if (current is not None and current.intent not in NOT_REQUESTS
                and current.confidence < self.thresholds.check_confidence and not pending):
            return self._predict(domain, CHECK)
        return abstain

    def _offer(self, domain: Domain, tracker: DialogueStateTracker, moment: Any) -> PolicyPrediction:
        logger.info("teachable moment for %s: %s", tracker.sender_id, moment.to_slot())
        return self._predict(domain, OFFER, [SlotSet("teachable_moment", moment.to_slot())])


def _as_complaint(turns: list[UserTurn]) -> list[UserTurn]:
    """The turns with the last one read as the complaint it is."""
    import dataclasses

    return turns[:-1] + [dataclasses.replace(turns[-1], intent="complain")] if turns else turns


def _misheard(moment: Any) -> bool:
    """The failed request named a value of the key to ask about, garbled by the recogniser ("tell me
    it alien restaurants"): no preference would have served it, so it is no moment to ask for one."""
    from assistant.prefs.heard import misheard

    try:
        key = PrefKey.parse(moment.key or "")
    except ValueError:
        return False
    return bool(moment.failing_text) and misheard(moment.failing_text, key) is not None


def _offered(tracker: DialogueStateTracker, key: str | None) -> bool:
    """This conversation already asked for the key (answered or not): a guess asks once."""
    wanted = OFFER_PREFIX + str(key)
    return any(isinstance(e, SlotSet) and e.key == "pending_question" and e.value == wanted
               for e in tracker.applied_events())


def _declined(tracker: DialogueStateTracker, key: str | None) -> bool:
    """The user said no to learning this key lately (the offer action keeps the times)."""
    try:
        parsed = PrefKey.parse(key or "")
    except ValueError:
        return True
    metadata = tracker.latest_message.metadata if tracker.latest_message else None
    return recently_declined(tracker.get_slot("teaching_declined") or {}, parsed, message_time(metadata))


def _enabled(tracker: DialogueStateTracker) -> bool:
    """Off when the message's metadata says so (`{"learning": {"teachable": false}}`: the
    simulator's arms without teachable moments)."""
    metadata = (tracker.latest_message.metadata if tracker.latest_message else None) or {}
    learning = metadata.get("learning") or {}
    return learning.get("teachable", True) is not False


def _user_turns(tracker: DialogueStateTracker) -> list[UserTurn]:
    """The user turns since the user last taught something (asking again after teaching is
    trying what was taught, not a failure), each with how it was answered.

    Times come from the message metadata (the turn's own timestamp: the home's clock, which
    the simulator moves) when every turn has one, else from Rasa's event times (wall clock).
    """
    drafts: list[dict[str, Any]] = []
    events = tracker.applied_events()
    for event in events[_walk_from(events):]:
        if isinstance(event, ActionExecuted) and event.action_name in SETTLING_ACTIONS:
            drafts = []
        if isinstance(event, UserUttered) and event.text:
            intent = event.intent or {}
            metadata = getattr(event, "metadata", None) or {}
            drafts.append({
                "text": event.text, "intent": intent.get("name"),
                "confidence": float(intent.get("confidence") or 0.0),
                "wall": float(event.timestamp or 0.0), "own": own_time(metadata),
                "barge_in": bool(metadata.get("barge_in")),
                "entities": tuple((str(e.get("entity")), str(e.get("value"))) for e in event.entities or []),
                "answered": False, "failed": intent.get("name") in FALLBACK_INTENTS, "rested_on": None,
                "guessed": None, "named": {},
            })
        elif drafts and isinstance(event, ActionExecuted) and event.action_name \
                and event.action_name not in SKIP_EVENTS and event.action_name != ACTION_LISTEN_NAME:
            drafts[-1]["answered"] = True
            drafts[-1]["failed"] |= event.action_name in FALLBACK_ACTIONS
        elif drafts and isinstance(event, BotUttered):
            custom = (event.data or {}).get("custom")
            if isinstance(custom, dict) and custom.get(PROBLEM_KEY):
                drafts[-1]["failed"] = True
            rested = RestedOn.decode(custom.get(RESTED_ON_KEY)) if isinstance(custom, dict) else None
            if rested is not None:
                drafts[-1]["rested_on"] = (rested.key, rested.stored)
                drafts[-1]["guessed"] = None if rested.stored else rested.guess
            named = custom.get(ANSWERED_KEY) if isinstance(custom, dict) else None
            if isinstance(named, dict):
                drafts[-1]["named"].update({str(k): str(v) for k, v in named.items() if v is not None})
    drafts = drafts[-KEPT_TURNS:]
    own_times = all(d["own"] is not None for d in drafts)
    return [UserTurn(text=d["text"], intent=d["intent"], confidence=d["confidence"],
                     timestamp=d["own"] if own_times else d["wall"], barge_in=d["barge_in"],
                     entities=d["entities"], succeeded=d["answered"] and not d["failed"],
                     rested_on=d["rested_on"], guessed=d["guessed"], answered=tuple(sorted(d["named"].items())))
            for d in drafts]


def _walk_from(events: Sequence[Any]) -> int:
    """Where `_user_turns` can start and build the same turns: the last settling action (the
    turns restart there), or the user message that opens the last `KEPT_TURNS` turns, whichever
    is later. A walk from the start cost a long conversation its whole history every turn."""
    seen = 0
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if isinstance(event, ActionExecuted) and event.action_name in SETTLING_ACTIONS:
            return index
        if isinstance(event, UserUttered) and event.text:
            seen += 1
            if seen == KEPT_TURNS:
                return index
    return 0


def _similarity(pairs: Sequence[tuple[str, str]]) -> list[float]:
    """MiniLM cosine of each pair (`assistant.similarity`), the embeddings cached per text;
    not clipped (the detector has always compared the raw cosine)."""
    return pair_cosine(pairs, _encode, clip=False)


def _encode(texts: Sequence[str]) -> Any:
    import numpy as np

    return np.stack([_embed(text) for text in texts])


@functools.lru_cache(maxsize=2048)
def _embed(text: str) -> Any:
    from assistant import embeddings

    return embeddings.encode([text])[0]
