"""The analytics on the traffic of a learning assistant (issue 33): the answers to the
assistant's own questions (offers to learn, "Did I answer your question?", exploration
questions) belong to the goal asked about, and goal success reads them."""

from __future__ import annotations

from assistant.analytics.features import learning_features, names_other
from assistant.analytics.goals import judge_goal
from assistant.analytics.segment import segment
from assistant.similarity import token_similarity
from tests.assistant.analytics.helpers import numbered, turn

OFFER = ["action_offer_teaching"]
SORRY = "Sorry, I didn't understand that. Could you say it another way?"


def _goals(*records):
    return segment(numbered(*records), token_similarity)


def _texts(goals):
    return [[t.text for t in g.turns] for g in goals]


def test_a_reading_chosen_from_an_exploration_question_continues_the_goal() -> None:
    goals = _goals(
        turn(0, "it is too dark in here", "turn_on", confidence=0.5, reply="Should I turn on the light, or open the blinds?",
             explore_asked=["turn_on", "open_device"]),
        turn(15, "the first one", "turn_on", explore_choice="turn_on", directives=["turn_on kitchen_light"],
             reply="Turning on the kitchen light."),
    )
    assert _texts(goals) == [["it is too dark in here", "the first one"]]
    assert goals[0].last_request.text == "the first one"      # the chosen reading is the goal's request
    assert judge_goal(goals[0]).achieved


def test_neither_is_an_answer_and_a_goal_left_there_failed() -> None:
    [goal] = _goals(
        turn(0, "it is too dark in here", "turn_on", confidence=0.5, reply="Should I turn on the light, or open the blinds?",
             explore_asked=["turn_on", "open_device"]),
        turn(15, "neither", "deny", explore_choice="neither", reply="Okay. Could you say it another way?"),
    )
    assert goal.is_answer(goal.turns[1]) and goal.last_request.text == "it is too dark in here"
    assert not judge_goal(goal).achieved      # abandoned after the exploration question


def test_answers_the_nlu_could_not_read_stay_in_the_goal_asked_about() -> None:
    goals = _goals(
        turn(0, "find me a restaurant", "find_restaurant", reply="Some places nearby. What kind of food do you like?",
             actions=OFFER),
        turn(15, "that is of no importance for me", "nlu_fallback", confidence=0.3, reply=SORRY),
        turn(30, "turn off the radio", "turn_off", directives=["turn_off radio"]),
    )
    assert _texts(goals) == [["find me a restaurant", "that is of no importance for me"], ["turn off the radio"]]
    assert goals[0].is_answer(goals[0].turns[1])


def test_yes_to_did_i_answer_your_question_is_no_new_goal() -> None:
    goals = _goals(
        turn(0, "turn on the bedroom light", "turn_on", directives=["turn_on bedroom_light"],
             reply="Turning on the bedroom light. Did I answer your question?"),
        turn(12, "yeah you've understood my instructions perfectly", "nlu_fallback", confidence=0.3, reply=SORRY),
    )
    assert len(goals) == 1 and goals[0].last_request.text == "turn on the bedroom light"


def test_after_say_it_another_way_the_next_words_are_the_request_again() -> None:
    [goal] = _goals(
        turn(0, "it seems cold", "nlu_fallback", confidence=0.3, reply=SORRY, feedback={"rephrase": True}),
        turn(15, "what's the weather in wilkerson, washington", "inform_place",
             reply="In Wilkerson, Washington today: cloudy."),
    )
    assert not goal.is_answer(goal.turns[1]) and goal.last_request is goal.turns[1]


def test_a_success_after_a_teaching_offer_is_a_success_reached_late() -> None:
    [goal] = _goals(
        turn(0, "play my music", "play_media", reply="Which genre do you like? I can remember it.",
             actions=["action_play_media", *OFFER], problems=["NOT_FOUND"]),
        turn(15, "i really like jazz", "state_preference", reply="Got it: you like jazz. Playing some jazz.",
             directives=["play kitchen_speaker jazz"]),
    )
    verdict = judge_goal(goal)
    assert goal.is_answer(goal.turns[1])
    assert verdict.turns[0].defect and verdict.achieved


def test_a_teaching_answer_the_assistant_did_not_take_is_no_success() -> None:
    [goal] = _goals(
        turn(0, "play my music", "play_media", reply="Which genre do you like? I can remember it.",
             actions=["action_play_media", *OFFER], problems=["NOT_FOUND"]),
        turn(15, "i really like jas", "state_preference", reply="Sorry, I don't know the genre jas. Which one?"),
    )
    assert not judge_goal(goal).achieved


def test_a_plain_out_of_scope_answer_is_right_unless_the_user_tries_again() -> None:
    refusal = "Sorry, that's outside what I can do."
    [alone] = _goals(turn(0, "order me a pizza", "out_of_scope", confidence=0.8, reply=refusal,
                          actions=["utter_out_of_scope"]))
    assert judge_goal(alone).achieved
    [retried] = _goals(
        turn(0, "make coughy", "out_of_scope", confidence=0.8, reply=refusal, actions=["utter_out_of_scope"],
             feedback={"rephrase": True}),
        turn(15, "make some coffee", "start_coffee", directives=["start coffee_maker"]),
    )
    assert judge_goal(retried).turns[0].defect


def test_learning_features_read_old_rows_as_none() -> None:
    old = turn(0, "play jazz", "play_media")
    old.evidence = None
    assert learning_features(old, None) == {"repaired": 0.0, "explore_asked": 0.0, "offer": 0.0,
                                            "answers_question": 0.0}
    new = turn(5, "play maj and dragons", "play_media", explore_choice="neither",
               evidence={"repaired": [{"kind": "artist", "scope": "global"}]})
    asked = turn(0, "play", "play_media", reply="Which artist?")
    f = learning_features(new, asked)
    assert f["repaired"] == f["repair_scope=global"] == f["explore_choice=neither"] == f["answers_question"] == 1.0


def test_an_answer_knows_which_question_it_answers() -> None:
    answer = turn(10, "that does not really matter", "complain", confidence=0.4)
    offer = turn(0, "weather", "ask_weather", reply="In Seattle today: rain. Which city should I use?",
                 actions=["action_weather", "action_offer_teaching"])
    check = turn(0, "play jazz", "play_media", reply="Playing jazz. Did I answer your question?",
                 actions=["action_play_media", "action_check_answer"])
    explore = turn(0, "it's eight in france", "ask_time", confidence=0.5, reply="Should I tell you the weather, or the time?",
                   actions=["action_explore"], explore_asked=["ask_weather", "ask_time"])
    slot = turn(0, "set an alarm", "set_alarm", reply="For what time?", actions=["action_set_alarm"])
    kinds = {name: [k for k in learning_features(answer, before) if k.startswith("question=")]
             for name, before in (("offer", offer), ("check", check), ("explore", explore), ("other", slot))}
    assert kinds == {name: ["question=" + name] for name in kinds}
    fallback = turn(0, "blah", "nlu_fallback", reply="Sorry, I didn't understand. Could you say it another way?",
                    actions=["utter_default"])
    assert not [k for k in learning_features(answer, fallback) if k.startswith("question=")]


def test_a_name_the_next_turn_adds_says_the_result_was_for_something_else() -> None:
    asked = turn(0, "is it cold outside", "ask_weather", reply="In Seattle, Washington today: drizzly. "
                 "Which city should I use for the weather?", actions=["action_weather", "action_offer_teaching"])
    other = turn(8, "i live in san francisco, california", "state_preference",
                 entities={"city": "san francisco", "region": "california"})
    same = turn(8, "seattle, washington", "inform_place", entities={"city": "seattle", "region": "washington"})
    device = turn(8, "turn on the kitchen light", "turn_on", entities={"device": "light", "room": "kitchen"})
    assert names_other(asked, other) == 1.0
    assert names_other(asked, same) == 0.0
    assert names_other(asked, device) == 0.0
    assert names_other(asked, None) == 0.0
