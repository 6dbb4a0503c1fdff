"""ExplorationPolicy on inline trackers: it asks on a torn request within the bounds, resolves
the answer to its own question, listens after its actions, and abstains everywhere else."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from assistant.components.exploration_policy import ExplorationPolicy
from assistant.exploration import ASK, REPLAYED_KEY, RESOLVE, SLOT
from assistant.learning.log import ExploreHistory


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load("domain")


@pytest.fixture
def policy(monkeypatch) -> ExplorationPolicy:
    from rasa.engine.graph import ExecutionContext, GraphSchema

    # the bounds read the log: a user with plenty of turns and no questions yet
    monkeypatch.setattr("assistant.exploration.logs.history",
                        lambda metadata, user, text: ExploreHistory(40, 0, False, []))
    context = ExecutionContext(GraphSchema({}), "test")
    return ExplorationPolicy({**ExplorationPolicy.get_default_config()}, None, None, context)  # type: ignore[arg-type]


def message(text: str, ranking: list[tuple[str, float]], *, explore: bool = True, **extra: Any) -> UserUttered:
    intents = [{"name": n, "confidence": c} for n, c in ranking]
    metadata = {"user_id": "alice", "learning": {"explore": explore}, **extra}
    return UserUttered(text, intent=intents[0], parse_data={"intent": intents[0], "intent_ranking": intents,
                                                            "entities": [], "text": text}, metadata=metadata)


def tracker(*events: Any, slots: dict[str, Any] | None = None) -> DialogueStateTracker:
    flat = [ActionExecuted("action_listen")] + [e for e in events]
    tracker = DialogueStateTracker.from_events("alice", flat, slots=None)
    for name, value in (slots or {}).items():
        tracker.update(SlotSet(name, value))
    return tracker


def predicted(policy: ExplorationPolicy, domain: Domain, tracker: DialogueStateTracker) -> str | None:
    prediction = policy.predict_action_probabilities(tracker, domain)
    best = max(range(len(prediction.probabilities)), key=prediction.probabilities.__getitem__)
    return domain.action_names_or_texts[best] if prediction.probabilities[best] > 0 else None


TORN = [("play_media", 0.41), ("ask_weather", 0.35), ("turn_on", 0.1)]


def test_a_torn_request_is_asked_about_with_its_two_readings(policy, domain) -> None:
    prediction = policy.predict_action_probabilities(tracker(message("play the forecast", TORN)), domain)
    assert domain.action_names_or_texts[prediction.probabilities.index(1.0)] == ASK
    [event] = prediction.optional_events
    assert isinstance(event, SlotSet) and event.key == SLOT
    assert event.value == {"text": "play the forecast", "options": ["play_media", "ask_weather"], "entities": []}


@pytest.mark.parametrize("ranking", [
    [("play_media", 0.7), ("ask_weather", 0.2)],                # a clear margin
    [("play_media", 0.45), ("out_of_scope", 0.40)],             # the second is not a request we can ask about
    [("greet", 0.45), ("play_media", 0.40)],                    # chit-chat
    [("nlu_fallback", 0.9), ("play_media", 0.5), ("stop", 0.1)],  # only one askable reading left
    [("play_media", 0.12), ("ask_weather", 0.10)],              # the second too unlikely to be meant
])
def test_no_question_unless_torn_between_two_requests(policy, domain, ranking) -> None:
    assert predicted(policy, domain, tracker(message("x", ranking))) is None


def test_the_fallback_is_left_out_of_the_margin(policy, domain) -> None:
    ranking = [("nlu_fallback", 0.35), ("play_media", 0.33), ("ask_weather", 0.31)]
    assert predicted(policy, domain, tracker(message("x", ranking))) == ASK


def test_off_when_the_learning_flags_say_so(policy, domain) -> None:
    assert predicted(policy, domain, tracker(message("x", TORN, explore=False))) is None


def test_the_bounds_can_refuse(policy, domain, monkeypatch) -> None:
    monkeypatch.setattr("assistant.exploration.logs.history",
                        lambda metadata, user, text: ExploreHistory(40, 0, True, []))
    assert predicted(policy, domain, tracker(message("x", TORN))) is None
    monkeypatch.setattr("assistant.exploration.logs.history", lambda metadata, user, text: None)
    assert predicted(policy, domain, tracker(message("x", TORN))) is None


def test_it_listens_after_asking_and_resolves_the_answer(policy, domain) -> None:
    question = {"text": "play the forecast", "options": ["play_media", "ask_weather"], "entities": []}
    asked = [message("play the forecast", TORN), ActionExecuted(ASK), BotUttered("Should I ...?")]
    assert predicted(policy, domain, tracker(*asked, slots={SLOT: question})) == "action_listen"
    answered = asked + [ActionExecuted("action_listen"), message("the weather", [("ask_weather", 0.6)])]
    assert predicted(policy, domain, tracker(*answered, slots={SLOT: question})) == RESOLVE
    # a new request instead of an answer is left to the other policies
    moved_on = asked + [ActionExecuted("action_listen"), message("lock the front door", [("lock_device", 0.9)])]
    assert predicted(policy, domain, tracker(*moved_on, slots={SLOT: question})) is None
    # a message after something else is not an answer, even with the slot still set
    other = [message("hi", [("greet", 0.9)]), ActionExecuted("utter_greet"), ActionExecuted("action_listen"),
             message("the weather", [("ask_weather", 0.6)])]
    assert predicted(policy, domain, tracker(*other, slots={SLOT: question})) is None


def test_the_replayed_reading_is_left_to_the_other_policies(policy, domain) -> None:
    replayed = message("play the forecast", [("ask_weather", 1.0)], **{REPLAYED_KEY: True})
    events = [message("the weather", [("ask_weather", 0.6)]), ActionExecuted(RESOLVE),
              ActionExecuted("action_listen"), replayed]
    assert predicted(policy, domain, tracker(*events)) is None
    # after the resolution said "neither" it listens
    assert predicted(policy, domain, tracker(message("neither", [("deny", 0.9)]), ActionExecuted(RESOLVE))) \
        == "action_listen"


def test_no_question_while_another_question_is_open(policy, domain) -> None:
    assert predicted(policy, domain, tracker(message("x", TORN), slots={"pending_question": "offer:music_genre"})) \
        is None
