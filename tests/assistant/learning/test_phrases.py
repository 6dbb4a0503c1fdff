"""Phrase rules: spans from aligned rephrases, pooled across people and sentences, guarded by
consensus, stored beside the rewrites and applied inside any request."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.learning.log import InteractionLog
from assistant.learning.mining import MineConfig, mine
from assistant.learning.phrases import (
    PhraseConfig,
    PhraseMiner,
    differing_spans,
    meaning_change,
    rule_for,
    substitute,
)
from assistant.learning.rewrites import Origin, Rewrite, RewriteStore, State
from assistant.similarity import token_similarity
from tests.assistant.learning.rephrase_logs import failed_then_fixed, turn

# Three people misheard the same way, each in a sentence of their own.
SENTENCES = [("put on some maj and dragons", "put on some imagine dragons"),
             ("maj and dragons please", "imagine dragons please"),
             ("could you play maj and dragons", "could you play imagine dragons")]


def _split(text: str) -> list[str]:
    return text.split()


def test_the_smallest_differing_span_is_taken_bare_and_with_context() -> None:
    spans = differing_spans(_split("put on some maj and dragons"), _split("put on some imagine dragons"))
    assert (("maj", "and"), ("imagine",)) in spans
    assert (("some", "maj", "and"), ("some", "imagine")) in spans
    assert (("maj", "and", "dragons"), ("imagine", "dragons")) in spans
    assert len(spans) == 4


def test_sentences_that_share_nothing_or_differ_everywhere_give_no_span() -> None:
    assert differing_spans(_split("what time is it"), _split("play some jazz")) == []
    assert differing_spans(_split("a b c d e f"), _split("x b y d z f")) == []   # three places
    assert differing_spans(_split("play jazz"), _split("play some jazz")) == []   # an insertion only
    long = differing_spans(_split("play one two three four five now"), _split("play six now"))
    assert long == []   # a five-word span is another sentence, not a mishearing


@pytest.mark.parametrize("heard, meant", [
    ("on", "off"), ("in lock", "unlock"), ("the likes on", "the lights off"),   # an action word it names
    ("to", "two"), ("for", "4"), ("thirty", "thirteen"),                        # a number
    ("note", "not"), ("don't", "do"),                                           # a negation
    ("the heater", "the tv"), ("bedroom", "bathroom"),                           # a device, a room it names
])
def test_a_span_touching_what_a_request_does_is_refused(heard: str, meant: str) -> None:
    assert meaning_change(tuple(heard.split()), tuple(meant.split())) != ""


@pytest.mark.parametrize("heard, meant", [
    ("maj and", "imagine"),
    ("likes", "lights"), ("whether", "weather"), ("the likes on", "the lights on"), ("coughy", "coffee"),
])
def test_misheard_words_that_name_nothing_may_become_a_name(heard: str, meant: str) -> None:
    assert meaning_change(tuple(heard.split()), tuple(meant.split())) == ""


def _miner(users=("ann", "ben", "cat"), sentences=SENTENCES, config=PhraseConfig()) -> PhraseMiner:
    miner = PhraseMiner(config)
    for user, (wrong, right) in zip(users, sentences):
        miner.add_chain(user, [wrong, right], True)
    return miner


def test_three_people_in_three_sentences_make_one_rule() -> None:
    miner = _miner()
    # Others who said the span and failed without a word more are no evidence against the rule.
    rules = miner.solve({}, {"play imagine dragons": (5, 0), "maj and dragons": (0, 6)})
    assert [(r.source, r.target, r.support) for r in rules] == [("maj and", "imagine", 3)]
    assert rules[0].supporters == ("ann", "ben", "cat")
    assert rules[0].probability == pytest.approx(1.0)


def test_two_people_are_not_enough() -> None:
    assert _miner(users=("ann", "ben"), sentences=SENTENCES[:2]).solve({}, {}) == []
    # The same two, and a third person in a sentence of their own: now there is a rule.
    assert [r.support for r in _miner().solve({}, {})] == [3]


def test_one_sentence_said_by_many_is_left_to_the_utterance_rewrite() -> None:
    miner = _miner(sentences=[SENTENCES[0]] * 3)
    assert miner.solve({}, {}) == []
    assert any("utterance rewrite" in r["reason"] for r in miner.report.refused)


def test_a_span_most_people_say_without_trouble_needs_its_context() -> None:
    miner = _miner()
    # Nine other people said "maj and" in requests that worked as heard: the bare span is no
    # mishearing, so only the rule with its context ("... dragons") is kept.
    others = {f"u{i}": f"the maj and request {i}" for i in range(9)}
    said = {text: {user} for user, text in others.items()}
    direct = {text: (1, 0) for text in others.values()}
    assert [(r.source, r.target) for r in miner.solve(said, direct)] == [("maj and dragons", "imagine dragons")]
    # With fewer untroubled sayers the bare span passes the Markov step, and the share refuses it.
    few = dict(list(said.items())[:8])
    miner = _miner()
    assert [(r.source, r.target) for r in miner.solve(few, {t: (0, 0) for t in few})] == [
        ("maj and dragons", "imagine dragons")]
    assert any(r["source"] == "maj and" and "for whom it worked" in r["reason"] for r in miner.report.refused)


def test_rules_that_change_an_action_are_refused_however_many_back_them() -> None:
    sentences = [("turn on the lights", "turn off the lights"),
                 ("please turn on the fan", "please turn off the fan"),
                 ("turn on the tv now", "turn off the tv now"),
                 ("can you turn on the heater", "can you turn off the heater")]
    miner = _miner(users=("a", "b", "c", "d"), sentences=sentences)
    assert miner.solve({}, {}) == []
    assert miner.report.refused and all("action" in r["reason"] for r in miner.report.refused)


def _own(sentences, user: str = "ann") -> PhraseMiner:
    """One user's fixes, each a rephrase that worked."""
    miner = PhraseMiner(PhraseConfig())
    for wrong, right in sentences:
        miner.add_chain(user, [wrong, right], True)
    return miner


COFFEE = [("start coughy", "start coffee"), ("please make me some coughy now", "please make me some coffee now")]


def test_one_user_who_fixed_the_same_span_twice_gets_a_rule_of_their_own() -> None:
    rules = _own(COFFEE).solve({}, {"start coughy": (0, 4)})
    assert [(r.source, r.target, r.user_id, r.support, r.supporters) for r in rules] == [
        ("coughy", "coffee", "ann", 2, ("ann",))]
    # Fixed once, it is no rule yet; and it is nobody else's.
    assert _own(COFFEE[:1]).solve({}, {}) == []


def test_a_personal_rule_is_refused_where_one_user_is_no_evidence() -> None:
    # The span worked as heard for this user.
    miner = _own(COFFEE)
    assert miner.solve({"coughy is what i call it": {"ann"}}, {"coughy is what i call it": (1, 0)}) == []
    assert any("worked as heard" in r["reason"] for r in miner.report.refused)
    # What it means turns on an action word: "turn of" -> "turn off" changes what requests do.
    miner = _own([("turn of the lights", "turn off the lights"), ("please turn of the fan", "please turn off the fan")])
    assert miner.solve({}, {}) == []
    assert miner.report.refused and all(
        "action" in r["reason"] or "common words" in r["reason"] for r in miner.report.refused)
    # Only common words: "there" is in too many of a user's sentences.
    miner = _own([("put it there", "put it their"), ("leave it there now", "leave it their now")])
    assert miner.solve({}, {}) == []
    assert any(r["source"] == "there" and "common words" in r["reason"] for r in miner.report.refused)
    # What it means is only common words: "pot" -> "for me" would drop the word.
    miner = _own([("turn on the coffee pot", "turn on the coffee for me"), ("start the pot", "start the for me")])
    assert miner.solve({}, {}) == []
    assert any(r["source"] == "pot" and "common words" in r["reason"] for r in miner.report.refused)
    # A number.
    miner = _own([("set it to for", "set it to four"), ("wake me at for", "wake me at four")])
    assert miner.solve({}, {}) == []
    # Fixes that did not work: twice "tunes" was made "lights", and twice the user said it was wrong.
    miner = PhraseMiner(PhraseConfig())
    for wrong, right in [("turn on the tunes", "turn on the lights"), ("put on the tunes", "put on the lights")]:
        miner.add_chain("ann", [wrong, right], False)
    assert miner.solve({}, {"turn on the lights": (9, 0)}) == []


def test_a_users_rule_the_global_one_already_makes_is_left_out() -> None:
    # ann, ben and cat fixed "coughy" in sentences of their own; ann twice more, with context.
    miner = _own(COFFEE + [("start coughy now", "start coffee now")])
    for user, (wrong, right) in (("ben", ("coughy please", "coffee please")), ("cat", ("some coughy", "some coffee"))):
        miner.add_chain(user, [wrong, right], True)
    rules = miner.solve({}, {})
    assert [(r.source, r.target, r.user_id) for r in rules] == [("coughy", "coffee", "*")]


def test_personal_rules_can_be_switched_off_in_mining() -> None:
    miner = PhraseMiner(PhraseConfig(personal=False))
    for wrong, right in COFFEE:
        miner.add_chain("ann", [wrong, right], True)
    assert miner.solve({}, {}) == []


def _rule(source: str, target: str, probability: float = 0.9, id: int = 1) -> Rewrite:
    return Rewrite(source=source, target=target, origin=Origin.PHRASE, probability=probability, id=id)


def test_the_longest_span_applies_first() -> None:
    rules = {("maj",): _rule("maj", "x", 0.99, 1), ("maj", "and"): _rule("maj and", "imagine", 0.6, 2)}
    start, rule = rule_for(_split("play maj and dragons"), rules)
    assert (start, rule.id) == (1, 2)
    assert rule_for(_split("play some jazz"), rules) is None


def test_substitution_keeps_the_rest_of_what_was_said() -> None:
    assert substitute("Could you put on Maj, and dragons?", "maj and", "imagine") == \
        "Could you put on imagine dragons?"
    assert substitute("majestic andes", "maj and", "imagine") is None   # whole words only
    assert substitute("maj and", "maj and", "") is None                 # nothing left
    assert substitute("maj and " + "x" * 600, "maj and", "imagine") is None   # over-long


# -- through mining and the store -------------------------------------------------------------

@pytest.fixture
def stores(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'learning.db'}"
    with InteractionLog.open(url) as log, RewriteStore.open(url) as store:
        yield log, store


def _record_fixes(log: InteractionLog, *extra) -> None:
    """Three people fix the same mishearing, each in a sentence of their own (and ``extra`` turns)."""
    turns = []
    for i, (user, (wrong, right)) in enumerate(zip(("ann", "ben", "cat"), SENTENCES)):
        turns += failed_then_fixed(user, wrong, right, at=100 * i)
    turns += list(extra)
    for t in turns:
        t.id = None
    log.record_many(turns)


def _similar(pairs):
    return [0.8 if ("maj and" in a) != ("maj and" in b) else s for (a, b), s in zip(pairs, token_similarity(pairs))]


def test_mining_stores_phrase_rules_that_count_wins_and_retire(stores) -> None:
    log, store = stores
    _record_fixes(log, turn("dan", "play imagine dragons", at=500))
    report = mine(log, store, MineConfig(), similarity=_similar)
    assert report.phrases is not None and [(r.source, r.target) for r in report.phrase_added] == [
        ("maj and", "imagine")]
    rules = store.phrase_rules()
    assert list(rules) == [("maj", "and")]
    rule = rules[("maj", "and")]
    assert rule.origin is Origin.PHRASE and store.get(rule.id).supporters == ("ann", "ben", "cat")
    # A phrase rule is never looked up as a whole utterance.
    assert store.lookup("maj and", None) is None
    # It keeps its own record, and keeps losing: it is retired and no longer applies.
    for _ in range(3):
        store.record_outcome(rule.id, False)
    assert store.get(rule.id).state is State.RETIRED
    assert store.phrase_rules() == {}
    # Mining again does not bring a retired rule back.
    mine(log, store, MineConfig(), similarity=_similar)
    assert store.phrase_rules() == {}


def test_a_blocked_rule_stays_blocked(stores) -> None:
    log, store = stores
    _record_fixes(log)
    mine(log, store, MineConfig(), similarity=_similar)
    [rule] = store.phrase_rules().values()
    store.block(rule.id)
    mine(log, store, MineConfig(), similarity=_similar)
    assert store.phrase_rules() == {}
    assert store.get(rule.id).state is State.BLOCKED


def test_without_phrase_config_no_rule_is_mined(stores) -> None:
    log, store = stores
    _record_fixes(log)
    report = mine(log, store, MineConfig(phrases=None), similarity=_similar)
    assert report.phrases is None and store.phrase_rules() == {}


def _record_rewritten(log: InteractionLog, sources: tuple[str, str]) -> None:
    """ann's "coughy" rewritten to "coffee" twice, in two sentences, by ``sources``; both worked."""
    turns = [turn("ann", "start coughy", at=0, text_rewritten="start coffee", rewrite_source=sources[0],
                  intent="start_coffee"),
             turn("ann", "a pot of coughy please", at=900, text_rewritten="a pot of coffee please",
                  rewrite_source=sources[1], intent="start_coffee")]
    for t in turns:
        t.id = None
    log.record_many(turns)


def test_a_rewrite_that_worked_is_a_step_for_the_phrase_miner(stores) -> None:
    log, store = stores
    _record_rewritten(log, ("personal", "global"))   # retrieval's fixes; nobody rephrased anything
    mine(log, store, MineConfig(), similarity=_similar)
    assert [(r.source, r.target, r.user_id) for r in store.phrase_rules(user_id="ann").values()] == [
        ("coughy", "coffee", "ann")]
    assert store.phrase_rules() == {} and store.phrase_rules(user_id="ben") == {}


def test_a_turn_a_phrase_rule_rewrote_is_no_evidence_for_a_rule(stores) -> None:
    log, store = stores
    _record_rewritten(log, ("personal_phrase", "phrase"))
    report = mine(log, store, MineConfig(), similarity=_similar)
    assert store.phrase_rules(user_id="ann") == {} and report.phrases is not None and report.phrases.aligned == 0
