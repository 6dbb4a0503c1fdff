"""TeachableMomentPolicy on inline trackers: the turn's own time decides the repeat window,
and a request that was answered with a success reply is not failed by asking it again."""

from __future__ import annotations

from typing import Any, Sequence

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from assistant.components.teachable_policy import CHECK, OFFER, TAKE, TeachableMomentPolicy, _user_turns

WALL = 1_700_000_000.0   # Rasa's event times (wall clock)
HOME = 1_800_000_000.0   # the home's clock, sent by the runtime as metadata["timestamp"]


def same(pairs: Sequence[tuple[str, str]]) -> list[float]:
    return [1.0 if a == b else 0.2 for a, b in pairs]


def user(text: str, intent: str, *, wall: float, own: float | None, entities: Sequence[tuple[str, str]] = (),
         barge_in: bool = False, confidence: float = 0.95) -> UserUttered:
    metadata: dict[str, Any] = {"barge_in": barge_in}
    if own is not None:
        metadata["timestamp"] = own
    return UserUttered(text, intent={"name": intent, "confidence": confidence},
                       entities=[{"entity": e, "value": v} for e, v in entities],
                       timestamp=wall, metadata=metadata)


def answer(action: str, *, wall: float, problem: str | None = None) -> list:
    data = {"custom": {"problem": problem}} if problem else {}
    return [ActionExecuted(action, timestamp=wall), BotUttered("ok", data=data, timestamp=wall),
            ActionExecuted("action_listen", timestamp=wall)]


def tracker(*events: Any) -> DialogueStateTracker:
    flat: list = [ActionExecuted("action_listen", timestamp=WALL - 1)]
    for event in events:
        flat.extend(event if isinstance(event, list) else [event])
    return DialogueStateTracker.from_events("alice", flat)


JAZZ = (("genre", "jazz"),)


def test_the_turns_own_time_is_used_not_rasas() -> None:
    turns = _user_turns(tracker(user("play some jazz", "play_media", wall=WALL, own=HOME),
                                answer("action_play_media", wall=WALL)))
    assert turns[0].timestamp == HOME


def test_rasas_time_when_a_turn_has_no_own_time() -> None:
    turns = _user_turns(tracker(user("a", "play_media", wall=WALL, own=HOME),
                                answer("action_play_media", wall=WALL),
                                user("b", "play_media", wall=WALL + 5, own=None)))
    assert [t.timestamp for t in turns] == [WALL, WALL + 5]


@pytest.mark.parametrize(("events", "succeeded"), [
    ([answer("action_play_media", wall=WALL)], True),
    ([answer("action_play_media", wall=WALL, problem="NOT_FOUND")], False),
    ([answer("utter_default", wall=WALL)], False),
    ([answer("action_check_answer", wall=WALL)], False),
    ([], False),
])
def test_how_a_turn_was_answered(events: list, succeeded: bool) -> None:
    turns = _user_turns(tracker(user("play some jazz", "play_media", wall=WALL, own=HOME, entities=JAZZ), *events))
    assert turns[0].succeeded is succeeded


def _detect(*events: Any):
    from assistant.teachable.signals import Thresholds, detect

    return detect(_user_turns(tracker(*events)), same, Thresholds())


def test_a_repeat_200_home_seconds_later_is_no_moment_even_when_rasa_saw_it_at_once() -> None:
    moment = _detect(user("play some jazz", "play_media", wall=WALL, own=HOME, entities=JAZZ),
                     answer("action_play_media", wall=WALL, problem="NOT_FOUND"),
                     user("play some jazz", "play_media", wall=WALL + 2, own=HOME + 200, entities=JAZZ),
                     answer("action_play_media", wall=WALL + 2, problem="NOT_FOUND"))
    assert moment is None


def test_a_failed_request_repeated_in_time_is_a_moment() -> None:
    moment = _detect(user("play some jazz", "play_media", wall=WALL, own=HOME, entities=JAZZ),
                     answer("action_play_media", wall=WALL, problem="NOT_FOUND"),
                     user("play some jazz", "play_media", wall=WALL + 500, own=HOME + 20, entities=JAZZ),
                     answer("action_play_media", wall=WALL + 500, problem="NOT_FOUND"))
    assert moment is not None and moment.failing_text == "play some jazz"


def test_a_failed_request_repeated_that_got_what_it_named_is_no_moment() -> None:
    moment = _detect(user("play some jazz", "play_media", wall=WALL, own=HOME, entities=JAZZ),
                     answer("action_play_media", wall=WALL, problem="NOT_FOUND"),
                     user("play some jazz", "play_media", wall=WALL + 500, own=HOME + 20, entities=JAZZ),
                     answer("action_play_media", wall=WALL + 500))
    assert moment is None


def test_a_request_that_succeeded_repeated_is_no_moment() -> None:
    moment = _detect(user("play some jazz", "play_media", wall=WALL, own=HOME, entities=JAZZ),
                     answer("action_play_media", wall=WALL),
                     user("play some jazz", "play_media", wall=WALL + 20, own=HOME + 20, entities=JAZZ),
                     answer("action_play_media", wall=WALL + 20))
    assert moment is None


def test_a_success_then_a_barge_in_repeat_is_a_moment() -> None:
    moment = _detect(user("play some jazz", "play_media", wall=WALL, own=HOME, entities=JAZZ),
                     answer("action_play_media", wall=WALL),
                     user("play some jazz", "play_media", wall=WALL + 20, own=HOME + 20, entities=JAZZ,
                          barge_in=True),
                     answer("action_play_media", wall=WALL + 20))
    assert moment is not None


def test_a_vague_request_answered_with_a_guess_may_still_be_failing() -> None:
    moment = _detect(user("play some music", "play_media", wall=WALL, own=HOME),
                     answer("action_play_media", wall=WALL),
                     user("play some music", "play_media", wall=WALL + 20, own=HOME + 20),
                     answer("action_play_media", wall=WALL + 20))
    assert moment is not None


def test_the_policy_offers_on_a_failed_repeat_and_not_on_a_succeeded_one() -> None:
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.shared.core.domain import Domain

    domain = Domain.load("domain")
    context = ExecutionContext(GraphSchema({}), "test")
    policy = TeachableMomentPolicy({**TeachableMomentPolicy.get_default_config()}, None, None, context)  # type: ignore[arg-type]

    def predicted(problem: str | None) -> str | None:
        t = tracker(user("play some jazz", "play_media", wall=WALL, own=HOME, entities=JAZZ),
                    answer("action_play_media", wall=WALL, problem=problem),
                    user("play some jazz", "play_media", wall=WALL + 1, own=HOME + 30, entities=JAZZ),
                    ActionExecuted("action_play_media", timestamp=WALL + 1),
                    BotUttered("I don't have that.", data={"custom": {"problem": "NOT_FOUND"}}, timestamp=WALL + 1))
        prediction = policy.predict_action_probabilities(t, domain)
        best = max(range(len(prediction.probabilities)), key=prediction.probabilities.__getitem__)
        return domain.action_names_or_texts[best] if prediction.probabilities[best] > 0 else None

    assert predicted("NOT_FOUND") == OFFER
    assert predicted(None) != OFFER


# -- the policy's decision at each point of the conversation ------------------------------

@pytest.fixture(scope="module")
def domain():
    from rasa.shared.core.domain import Domain

    return Domain.load("domain")


@pytest.fixture
def predict(domain, monkeypatch):
    """Run the policy on an inline tracker; return (the action it predicts or None, its events)."""
    from rasa.engine.graph import ExecutionContext, GraphSchema

    from assistant.components import teachable_policy

    monkeypatch.setattr(teachable_policy, "_similarity", same)   # no MiniLM: exact text is a repeat
    policy = TeachableMomentPolicy({**TeachableMomentPolicy.get_default_config()}, None, None,  # type: ignore[arg-type]
                                   ExecutionContext(GraphSchema({}), "test"))

    def run(*events: Any) -> tuple[str | None, list]:
        flat: list = [ActionExecuted("action_listen", timestamp=WALL - 1)]
        for event in events:
            flat.extend(event if isinstance(event, list) else [event])
        t = DialogueStateTracker.from_events("alice", flat, slots=domain.slots)
        prediction = policy.predict_action_probabilities(t, domain)
        best = max(range(len(prediction.probabilities)), key=prediction.probabilities.__getitem__)
        action = domain.action_names_or_texts[best] if prediction.probabilities[best] > 0 else None
        return action, list(prediction.optional_events)

    return run


def _failed_jazz() -> list:
    return [user("play some jazz", "play_media", wall=WALL, own=HOME, entities=JAZZ),
            answer("action_play_media", wall=WALL, problem="NOT_FOUND")]


def _repeat(**kwargs: Any) -> list:
    return [user("play some jazz", "play_media", wall=WALL + 1, own=HOME + 30, entities=JAZZ, **kwargs),
            ActionExecuted("action_play_media", timestamp=WALL + 1),
            BotUttered("I don't have that.", data={"custom": {"problem": "NOT_FOUND"}}, timestamp=WALL + 1)]


def test_a_failed_repeat_offers_and_keeps_the_moment_in_the_slot(predict) -> None:
    from rasa.shared.core.events import SlotSet

    action, events = predict(*_failed_jazz(), *_repeat())
    assert action == OFFER
    assert events == [SlotSet("teachable_moment", {"signals": ["repeat"], "failing_intent": "play_media",
                                                   "failing_text": "play some jazz", "key": None,
                                                   "similarity": 1.0})]


def test_a_complaint_offers_right_after_the_users_message(predict) -> None:
    action, events = predict(*_failed_jazz(), user("no that's wrong", "complain", wall=WALL + 1, own=HOME + 10))
    assert action == OFFER
    assert events[0].value["signals"] == ["dissatisfaction"]
    assert events[0].value["failing_text"] == "play some jazz"


@pytest.mark.parametrize("intent", ["nlu_fallback", "out_of_scope", "thank"])
def test_a_no_in_other_words_to_the_check_is_a_complaint(predict, intent: str) -> None:
    """ "Did I answer your question?" "i am sorry but you did not interpret command right" (fallback)."""
    from rasa.shared.core.events import SlotSet

    checked = [*_failed_jazz(), SlotSet("pending_question", "check:play_media")]
    action, events = predict(*checked, user("sorry but you did not get that right", intent, wall=WALL + 1,
                                            own=HOME + 10))
    assert action == OFFER
    assert events[0].value["signals"] == ["dissatisfaction"]
    assert events[0].value["failing_text"] == "play some jazz"
    # No negation, no check asked, or a request: not a no.
    assert predict(*checked, user("purple elephants", intent, wall=WALL + 1, own=HOME + 10)) == (None, [])
    assert predict(*_failed_jazz(), user("sorry but you did not get that right", intent, wall=WALL + 1,
                                         own=HOME + 10)) == (None, [])
    assert predict(*checked, user("do not play jazz", "play_media", wall=WALL + 1, own=HOME + 10)) == (None, [])


def test_a_request_right_after_the_users_message_waits_for_the_answer(predict) -> None:
    assert predict(*_failed_jazz(), user("play some jazz", "play_media", wall=WALL + 1, own=HOME + 30,
                                         entities=JAZZ)) == (None, [])


def test_an_answer_to_a_pending_offer_is_taken(predict) -> None:
    from rasa.shared.core.events import SlotSet

    action, _ = predict(*_failed_jazz(), SlotSet("pending_question", "offer:play_media"),
                        user("yes please", "affirm", wall=WALL + 1, own=HOME + 10))
    assert action == TAKE


def test_after_its_own_action_it_listens(predict) -> None:
    action, _ = predict(*_failed_jazz(), *_repeat(), ActionExecuted(OFFER, timestamp=WALL + 1))
    assert action == "action_listen"


def test_an_unsure_answer_is_checked_unless_a_question_is_pending(predict) -> None:
    from rasa.shared.core.events import SlotSet

    unsure = [user("weather in paris", "ask_weather", wall=WALL, own=HOME, confidence=0.3),
              ActionExecuted("action_weather", timestamp=WALL)]
    assert predict(*unsure)[0] == CHECK
    assert predict(SlotSet("pending_question", "preference:music_genre"), *unsure) == (None, [])
    sure = [user("weather in paris", "ask_weather", wall=WALL, own=HOME, confidence=0.99),
            ActionExecuted("action_weather", timestamp=WALL)]
    assert predict(*sure) == (None, [])


@pytest.mark.parametrize("case", ["disabled", "quiet_action", "form_active", "after_teaching", "no_user"])
def test_it_abstains(predict, case: str) -> None:
    from rasa.shared.core.events import ActiveLoop

    repeat = _repeat()
    if case == "disabled":   # the simulator's arms without teachable moments
        repeat[0].parse_data["metadata"] = {**repeat[0].metadata, "learning": {"teachable": False}}
        repeat[0].metadata = repeat[0].parse_data["metadata"]
        events = [*_failed_jazz(), *repeat]
    elif case == "quiet_action":
        events = [*_failed_jazz(), *repeat, ActionExecuted("action_yes_no", timestamp=WALL + 1)]
    elif case == "form_active":
        events = [*_failed_jazz(), ActiveLoop("preference_form"), *repeat]
    elif case == "after_teaching":   # asking again after teaching tries what was taught
        events = [*_failed_jazz(), ActionExecuted("action_take_teaching", timestamp=WALL),
                  ActionExecuted("action_listen", timestamp=WALL), *repeat]
    else:
        events = []
    assert predict(*events) == (None, [])
    if case != "no_user":   # the same conversation without the reason to abstain offers
        assert predict(*_failed_jazz(), *_repeat())[0] == OFFER


def _guessed(stored: bool = False, guess: str | None = None) -> list:
    rested: dict[str, Any] = {"key": "music_genre", "stored": stored}
    if guess is not None:
        rested["guess"] = guess
    return [user("play some music", "play_media", wall=WALL, own=HOME),
            ActionExecuted("action_play_media", timestamp=WALL),
            BotUttered("Playing some pop.", data={"custom": {"rested_on": rested}}, timestamp=WALL)]


def test_an_answer_that_could_not_be_given_for_want_of_a_preference_offers_to_learn_it(predict) -> None:
    action, events = predict(*_guessed())
    assert action == OFFER
    assert events[0].value["signals"] == ["needs_preference"] and events[0].value["key"] == "music_genre"


def _restaurants(text: str, complaint: bool = False) -> list:
    asked = [user(text, "find_restaurant", wall=WALL, own=HOME), ActionExecuted("action_find_restaurant", timestamp=WALL),
             BotUttered("Some places nearby: Trattoria Roma, Casa Azul or Golden Dragon.",
                        data={"custom": {"rested_on": {"key": "cuisine", "stored": False}}}, timestamp=WALL)]
    return asked + ([user("that's wrong", "complain", wall=WALL + 1, own=HOME + 10)] if complaint else [])


@pytest.mark.parametrize("complaint", [False, True])
def test_a_request_whose_own_value_was_misheard_is_no_moment(predict, complaint: bool) -> None:
    # "tell me it alien restaurants": the user named italian; no preference of theirs was needed.
    assert predict(*_restaurants("tell me it alien restaurants close by", complaint))[0] is None
    assert predict(*_restaurants("tell me restaurants close by", complaint))[0] == OFFER


def test_an_answer_from_a_stored_preference_offers_nothing(predict) -> None:
    assert predict(*_guessed(stored=True))[0] is None


def test_a_guess_offers_nothing_until_the_user_names_a_value_of_their_own(predict) -> None:
    assert predict(*_guessed(guess="pop")) == (None, [])


def _named(genre: str, offset: float = 30) -> list:
    return [ActionExecuted("action_listen", timestamp=WALL),
            user(f"play some {genre}", "play_media", wall=WALL + 1, own=HOME + offset, entities=(("genre", genre),)),
            ActionExecuted("action_play_media", timestamp=WALL + 1),
            BotUttered(f"Playing some {genre}.", data={"custom": {"answered": {"genre": genre}}}, timestamp=WALL + 1)]


def test_a_value_named_right_after_a_guess_asks_whether_it_is_the_users_own(predict) -> None:
    action, events = predict(*_guessed(guess="pop"), *_named("jazz"))
    assert action == OFFER
    assert events[0].value["signals"] == ["corrected_guess"]
    assert (events[0].value["key"], events[0].value["value"]) == ("music_genre", "jazz")


@pytest.mark.parametrize("case", ["same_value", "too_late", "offered_before", "declined", "stored"])
def test_no_confirmation_offer(predict, case: str) -> None:
    from rasa.shared.core.events import SlotSet

    before: list = []
    guess, named = _guessed(guess="pop"), _named("jazz")
    if case == "same_value":       # "play some pop" after pop played: the guess was right
        named = _named("pop")
    elif case == "too_late":
        named = _named("jazz", offset=600)
    elif case == "offered_before":  # once a conversation
        before = [SlotSet("pending_question", "offer:music_genre"), SlotSet("pending_question", None)]
    elif case == "declined":
        before = [SlotSet("teaching_declined", {"music_genre": HOME - 3600})]
    else:
        guess = _guessed(stored=True)
    assert predict(*before, *guess, *named) == (None, [])


def test_an_offer_that_could_not_be_given_offers_nothing_when_the_user_declined_that_lately(predict) -> None:
    from rasa.shared.core.events import SlotSet

    declined = SlotSet("teaching_declined", {"music_genre": HOME - 3600})   # an hour before, on the home's clock
    assert predict(declined, *_guessed())[0] is None
    long_ago = SlotSet("teaching_declined", {"music_genre": HOME - 3 * 24 * 3600})
    assert predict(long_ago, *_guessed())[0] == OFFER


def test_a_repeat_names_the_preference_the_failed_answer_rested_on(predict) -> None:
    failed = _guessed() + [ActionExecuted("action_offer_teaching", timestamp=WALL)]
    # the user ignores the offer and asks again; its answer guesses again
    again = [user("play some music", "play_media", wall=WALL + 1, own=HOME + 30),
             ActionExecuted("action_play_media", timestamp=WALL + 1),
             BotUttered("Playing some pop.", data={"custom": {"rested_on": {"key": "music_genre", "stored": False}}},
                        timestamp=WALL + 1)]
    action, events = predict(*failed, *again)
    assert action == OFFER and events[0].value["key"] == "music_genre"


def test_a_long_conversation_gives_its_last_turns_and_restarts_after_teaching() -> None:
    long = []
    for index in range(20):
        problem = "NOT_FOUND" if index % 3 == 0 else None
        long += [user(f"request {index}", "play_media", wall=WALL + index, own=HOME + index),
                 answer("action_play_media", wall=WALL + index, problem=problem)]
    turns = _user_turns(tracker(*long))
    assert [t.text for t in turns] == [f"request {index}" for index in range(12, 20)]
    assert [t.succeeded for t in turns] == [index % 3 != 0 for index in range(12, 20)]
    # teaching settles what came before: only the turns after it count
    taught = long[:34] + [ActionExecuted(TAKE, timestamp=WALL + 17)] + long[34:]
    assert [t.text for t in _user_turns(tracker(*taught))] == ["request 17", "request 18", "request 19"]
