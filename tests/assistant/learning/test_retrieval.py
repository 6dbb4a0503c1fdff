"""Retrieval rewriting: ranking, guards that keep meaning, and what counts as suspicious."""

from __future__ import annotations

import pytest

from assistant.learning.index import UtteranceStats
from assistant.learning.retrieval import (
    RetrievalIndex,
    keeps_meaning,
    phonetic_key,
    suspicious,
    vocabulary,
)
from assistant.learning.rewrites import GLOBAL
from tests.assistant.learning.fakes import trigram_encode


def stats(text: str, user: str = GLOBAL, successes: int = 5, failures: int = 0, users: int = 5) -> UtteranceStats:
    return UtteranceStats(text, user, "play_media", successes, failures, users if user == GLOBAL else 1)


def make_index(entries, **kwargs) -> RetrievalIndex:
    return RetrievalIndex(entries, global_min_users=kwargs.get("global_min_users", 3),
                          personal_min_successes=1, encode=trigram_encode)


@pytest.mark.parametrize(("source", "target", "keeps"), [
    ("play maj and dragons", "play imagine dragons", True),     # misheard words may go
    ("what is the temper chair", "what is the temperature", True),
    ("turn on the kitchen light", "turn off the kitchen light", False),  # on/off flips it
    ("turn on the living room light", "turn on the kitchen light", False),  # a room is a name
    ("what's the weather in boston", "what's the weather in seattle", False),  # a city too
    ("set the thermostat to 20", "set the thermostat to 22", False),  # numbers stay
    ("play jazz", "play pop", False),
    ("set an a larm for 6 am", "set an alarm for 6 30 am", False),  # no number added
    ("play some", "play some pop", False),   # an added name must replace a misheard word
    ("play some foke", "play some folk", True),
    ("find me a rest rant", "find me a restaurant", True),     # two misheard words, one meant
    ("how my team do", "how did my team do", True),
    ("weather in wilkerson", "weather in wilkerson california", True),  # a city's own region
    ("start the coughy maker", "start the coffee maker", True),         # sounds alike
    ("did the marinas win", "did the patriots win", False),             # another team
    ("turn off the bed room likes", "turn off the living room lights", False),  # one word, one partner
    ("find me a greet restaurant", "find me a restaurant", False),     # a misheard word just dropped
    ("weather in seattle", "weather in seattle california", False),
])
def test_a_rewrite_may_drop_misheard_words_but_not_meaning(source: str, target: str, keeps: bool) -> None:
    assert keeps_meaning(source, target) is keeps


def test_sound_alike_words_share_a_phonetic_key() -> None:
    assert phonetic_key("thermostat") == phonetic_key("thermastat")
    assert phonetic_key("dragons") != phonetic_key("lights")


def test_only_suspicious_utterances_are_candidates_for_rewriting() -> None:
    known = vocabulary()
    assert suspicious("turn on the kitchen light", None, None, known) is None
    assert "low ASR confidence" in suspicious("turn on the kitchen light", 0.5, None, known)
    assert "maj" in suspicious("play maj and dragons", None, None, known)
    failing = stats("play the news", successes=0, failures=2)
    assert "failed 2 times" in suspicious("play the news", None, failing, known)


def test_the_users_own_match_wins_for_that_user_and_global_covers_others() -> None:
    index = make_index([stats("what's the weather in wilkerson washington"),
                        stats("what's the weather in wilkerson california", user="ann", successes=2)])
    text = "what's the weather in wilkerson"
    mine = index.candidates(text, "ann", personal=True, global_=True, personal_bonus=0.06)
    theirs = index.candidates(text, "bob", personal=True, global_=True, personal_bonus=0.06)
    assert mine[0].text.endswith("california") and mine[0].scope == "personal"
    assert theirs[0].text.endswith("washington") and theirs[0].scope == "global"


def test_global_entries_need_several_users_and_a_good_record() -> None:
    index = make_index([stats("play imagine dragons", users=2), stats("play the beatles", successes=1, failures=3)])
    assert index.global_entries == []
    assert index.candidates("play imagin dragons", "bob", personal=True, global_=True, personal_bonus=0.0) == []


def test_a_known_good_utterance_is_left_alone_and_itself_is_never_a_candidate() -> None:
    index = make_index([stats("play imagine dragons")])
    assert index.known_good("Play imagine dragons", "bob", min_successes=2)
    assert not index.known_good("play imagin dragons", "bob", min_successes=2)
    assert index.candidates("play imagine dragons", "bob", personal=True, global_=True, personal_bonus=0) == []


def test_embeddings_are_computed_once_per_text() -> None:
    calls: list[int] = []

    def counting(texts):
        calls.append(len(texts))
        return trigram_encode(texts)

    entries = [stats("play imagine dragons"), stats("play imagine dragons", user="ann")]
    first = RetrievalIndex(entries, global_min_users=3, personal_min_successes=1, encode=counting)
    RetrievalIndex(entries, global_min_users=3, personal_min_successes=1, encode=counting, cache=first.cache)
    assert calls == [1]


@pytest.mark.parametrize(("source", "target"), [
    ("can you in lock the door", "can you lock the door"),   # "in lock" is "unlock"
    ("and lock the front door", "lock the front door"),
])
def test_a_dropped_word_that_flips_the_next_one_blocks_the_rewrite(source: str, target: str) -> None:
    assert not keeps_meaning(source, target)


@pytest.mark.parametrize(("source", "target"), [
    ("bedroom lice off now", "bedroom lights off now"),   # "lice off" sounds a little like "less"
    ("turn the likes on", "turn the lights on"),
])
def test_a_misheard_word_before_on_or_off_may_be_fixed(source: str, target: str) -> None:
    assert keeps_meaning(source, target)


def test_times_and_numbers_survive_normalizing() -> None:
    from assistant.text import normalize

    assert normalize("Set an alarm for 7:30 am, please.") == "set an alarm for 7:30 am"
    assert normalize("dim it to 2.5!") == "dim it to 2.5"
    assert keeps_meaning("set an a larm for 7:30 am", "set an alarm for 7:30 am")
