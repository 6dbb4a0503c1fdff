from __future__ import annotations

import pytest

from assistant.analytics import features
from assistant.analytics.features import catalog_match


@pytest.mark.parametrize(("text", "name", "near_miss"), [
    ("did the lakers win", 1.0, 0.0),             # the name as the catalog has it
    ("weather in seattle please", 1.0, 0.0),      # the words around a name are no near miss
    ("did the lackers win", 0.0, 1.0),            # reads like a team
    ("is it snowing in see at all", 0.0, 1.0),    # sounds like a city, over three words
    ("hey play crazy by green", 0.0, 1.0),        # reads like an artist ("queen")
    ("turn on the kitchen light", 0.0, 0.0),      # device and room words are everyday words
])
def test_catalog_names_and_near_misses(text: str, name: float, near_miss: float) -> None:
    found = catalog_match(text)
    assert (found["catalog_name"], found["catalog_near_miss"]) == (name, near_miss)


def test_a_sound_alike_is_told_from_a_spelling_alike() -> None:
    assert catalog_match("is it snowing in see at all")["catalog_sound_alike"] == 1.0
    assert catalog_match("hey play crazy by green")["catalog_sound_alike"] == 0.0


def test_word_pairs_the_nlu_examples_never_hold_are_counted() -> None:
    known = features.training_bigrams()
    assert ("turn", "on") in known and ("bait", "oven") not in known
    assert features.unseen_bigrams("turn on the kitchen lights", known) == \
        {"unseen_bigram_rate": 0.0, "unseen_bigrams": 0.0, "unseen_bigram_run": 0.0}
    garbled = features.unseen_bigrams("turn on the bait oven", known)
    assert garbled["unseen_bigrams"] == 2.0 and garbled["unseen_bigram_run"] == 2.0
    assert features.unseen_bigrams("hello", known)["unseen_bigram_rate"] == 0.0   # no pair at all


def test_a_request_for_all_the_lights_that_changed_nothing() -> None:
    from assistant.analytics.pipeline import analyze
    from tests.assistant.analytics.helpers import numbered, turn

    records = numbered(
        turn(0, "turn on all upstairs lights", "turn_on", entities={"device": "lights"},
             reply="The living room light is already on.", context={"room": "living_room"}),
        turn(60, "turn on the oven", "turn_on", entities={"device": "oven"}, reply="Turning on the oven.",
             directives=["turn_on oven"], context={"room": "kitchen"}))
    rows = analyze(records).rows
    assert (rows[0]["plural_target"], rows[0]["no_effect"], rows[0]["reply_room_not_said"]) == (1.0, 1.0, 1.0)
    assert (rows[1]["plural_target"], rows[1]["no_effect"], rows[1]["reply_room_not_said"]) == (0.0, 0.0, 0.0)


def test_what_the_next_turn_says_about_an_offer_or_an_exploration_question() -> None:
    from assistant.analytics.pipeline import analyze
    from tests.assistant.analytics.helpers import numbered, turn

    records = numbered(
        turn(0, "is it cold outside", "ask_weather", reply="In Seattle, Washington today: drizzly. "
             "Which city should I use for the weather?", actions=["action_weather", "action_offer_teaching"]),
        turn(8, "i live in san francisco, california", "state_preference",
             entities={"city": "san francisco", "region": "california"},
             reply="Thanks, I'll remember that your home city is San Francisco.", actions=["action_take_teaching"]),
        turn(600, "what time is it in new york", "ask_time", confidence=0.4, entities={"city": "new york"},
             reply="Sorry, I'm not sure what you meant. Should I tell you the weather, or the time?",
             actions=["action_explore"], explore_asked=["ask_weather", "ask_time"]),
        turn(608, "neither", "deny", explore_choice="neither", reply="Okay."),
        turn(1200, "japan ease", "nlu_fallback", confidence=0.35,
             reply="I don't know the cuisine 'japan ease'. Did you mean japanese?"))
    rows = analyze(records).rows
    assert [r["next_names_other"] for r in rows] == [1.0, 0.0, 0.0, 0.0, 0.0]
    assert rows[1]["question=offer"] == 1.0 and rows[3]["question=explore"] == 1.0
    assert rows[2]["next_explore_choice=neither"] == 1.0 and "next_explore_choice=neither" not in rows[0]
    assert [r["reply_suggests"] for r in rows] == [0.0, 0.0, 0.0, 0.0, 1.0]
