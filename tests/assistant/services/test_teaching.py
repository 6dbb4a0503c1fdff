from __future__ import annotations

import pytest

from assistant.prefs.keys import PrefKey
from assistant.services.teaching import answers_offer, offered_key


@pytest.mark.parametrize(("pending", "text", "intent", "answers"), [
    ("offer:music_genre", "jazz", "play_media", True),
    ("offer:music_genre", "I like jazz", "state_preference", True),
    ("offer:music_genre", "jaz", "nlu_fallback", True),        # a typo: "Did you mean jazz?"
    ("offer:music_genre", "no thanks", "deny", True),
    ("offer:music_genre", "turn on the lights", "turn_on", False),
    ("offer:home_city", "Wilkerson", "inform_place", True),    # needs "which one?"
    ("offer:home_city", "what time is it", "ask_time", False),
    ("offer:home_city", "bossed on, massachusetts", "inform_place", True),   # a place, misheard: "Did you mean ...?"
    ("offer:music_genre", "bossed on, massachusetts", "inform_place", False),
    ("offer:sports_team", "i'm a fan", "state_preference", True),      # the name misheard away: asked again
    ("offer:sports_team", "purple elephants", "nlu_fallback", True),   # names nothing: "I don't know ..."
    ("offer:sports_team", "pay trio ts", "out_of_scope", True),
    ("offer:music_genre", "jaz", "play_media", True),         # a spelling of a value, whatever NLU said
    ("offer:cuisine", "thigh", "nlu_fallback", True),         # "Did you mean thai?"
    ("offer:music_genre", "put the disco lice on", "turn_on", False),   # sounds like blues, but a request
    ("offer:home_city", "what should i wear is it cold outside", "ask_weather", False),
    ("offer:sports_team", "will you shut down please", "close_device", True),   # a no, not the garage door
    ("offer:sports_team", "shut the garage door", "close_device", False),
    ("check:play_media", "jazz", "play_media", False),
    (None, "jazz", "play_media", False),
])
def test_answers_offer(pending, text: str, intent: str, answers: bool) -> None:
    assert answers_offer(pending, text, intent) is answers


def test_offered_key() -> None:
    assert offered_key("offer:cuisine") is PrefKey.CUISINE
    assert offered_key("offer:nonsense") is None
    assert offered_key("forget:*") is None


def test_a_check_question_keeps_the_preference_its_answer_rested_on() -> None:
    from assistant.services.teaching import check_question, checked_moment

    assert check_question("find_restaurant", "cuisine") == "check:find_restaurant|cuisine"
    assert checked_moment("check:find_restaurant|cuisine")["key"] == "cuisine"
    assert checked_moment("check:turn_on") == {"signals": ["no_to_check"], "failing_intent": "turn_on",
                                               "failing_text": "", "similarity": None, "key": None}


@pytest.mark.parametrize(("metadata", "expected"), [
    ({"timestamp": 1_800_000_000.5}, 1_800_000_000.5),   # the home's clock, which a simulation moves
    ({"timestamp": True}, None), ({"timestamp": "soon"}, None), ({}, None), (None, None),
])
def test_message_time_prefers_the_turns_own_time(metadata, expected) -> None:
    import time

    from assistant.services.teaching import message_time

    before = time.time()
    got = message_time(metadata)
    assert got == expected if expected is not None else before <= got <= time.time()


def test_a_yes_to_a_value_is_said_in_words_not_taken_for_a_request() -> None:
    from assistant.services.teaching import answers_offer, says_yes

    assert says_yes("yes", "affirm") and says_yes("yeah that is correct", "complain")
    assert not says_yes("sure, play some jazz", "play_media") and not says_yes("no it isn't", "deny")
    assert answers_offer("offer:home_city", "yeah that is correct", "nlu_fallback", "Miami, Florida")
    assert not answers_offer("offer:home_city", "turn on the lights", "turn_on", "Miami, Florida")


@pytest.mark.parametrize(("text", "intent", "declines"), [
    ("no thanks", "deny", True), ("stop", "stop", True), ("can you shut off please", "turn_off", True),
    ("jazz", "play_media", False), ("turn off the lights", "turn_off", False),
])
def test_a_no_to_an_offer(text: str, intent: str, declines: bool) -> None:
    from assistant.services.teaching import declines as says_no

    assert says_no(text, intent) is declines
