"""Online rewriting as the QueryRewriter decides it: corrections, mined pairs, retrieval, arms."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.learning import index, online
from assistant.learning.config import Arm, LearningFlags
from assistant.learning.log import InteractionLog
from assistant.learning.online import RewriterConfig, rewrite
from assistant.learning.rewrites import MinedPair, State
from tests.assistant.learning.fakes import trigram_encode
from tests.assistant.learning.rephrase_logs import failed_then_fixed, turn

CONFIG = RewriterConfig()


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from assistant import embeddings

    monkeypatch.setattr(embeddings, "encode", trigram_encode)
    url = f"sqlite:///{tmp_path / 'learning.db'}"
    current = online.register(url)
    URL.append(url)
    yield current
    online.unregister(url)


URL: list[str] = []


def meta(user: str, arm: Arm = Arm.FULL, asr: float | None = None) -> dict:
    return {"user_id": user, "learning": {**arm.flags.to_metadata(), "store": URL[-1] if URL else None},
            "asr_confidence": asr}


def fill_index(state, turns) -> None:
    with InteractionLog.open(state.url) as log:
        for t in turns:
            t.id = None
        log.record_many(turns)
        index.rebuild(log, state.store)


def test_a_mined_pair_applies_unless_the_arm_has_no_rewrites(state) -> None:
    state.store.apply_mined([MinedPair("play maj and dragons", "play imagine dragons", 3, 0.9)])
    decision = rewrite("play maj and dragons", meta("dan"), CONFIG)
    assert decision.text == "play imagine dragons" and decision.source == "precomputed"
    assert decision.rewrite_id is not None
    assert rewrite("play maj and dragons", meta("dan", Arm.BASELINE), CONFIG) is None
    assert rewrite("play maj and dragons", meta("dan", Arm.TEACHABLE), CONFIG) is None


def test_a_weak_pair_is_not_applied(state) -> None:
    state.store.apply_mined([MinedPair("play maj and dragons", "play imagine dragons", 3, 0.3)])
    assert rewrite("play maj and dragons", meta("dan", asr=0.95), CONFIG) is None


def test_retrieval_fixes_a_misheard_request_from_what_worked_for_others(state) -> None:
    turns = []
    for i, user in enumerate(("ann", "bob", "cat")):
        turns += failed_then_fixed(user, "play maj and dragons", "play imagine dragons", at=100 * i)
    fill_index(state, turns)
    decision = rewrite("play imagin dragons", meta("dan", asr=0.6), CONFIG)
    assert decision is not None and decision.text == "play imagine dragons" and decision.source == "global"
    assert "low ASR confidence" in decision.why
    assert rewrite("play imagin dragons", meta("dan", Arm.TEACHABLE, asr=0.6), CONFIG) is None


def test_an_understood_utterance_is_left_alone(state) -> None:
    turns = [turn(u, "turn on the kitchen light", at=i, intent="turn_on") for i, u in enumerate("abc")]
    fill_index(state, turns)
    assert rewrite("turn on the kitchen lights", meta("dan"), CONFIG) is None        # fine words, sure ASR
    assert rewrite("turn on the kitchen light", meta("dan", asr=0.5), CONFIG) is None  # known good
    assert rewrite("turn off the kitchen light", meta("dan", asr=0.5), CONFIG) is None  # meaning differs


def test_a_retired_retrieval_rewrite_is_not_applied_again(state) -> None:
    turns = []
    for i, user in enumerate(("ann", "bob", "cat")):
        turns += failed_then_fixed(user, "play maj and dragons", "play imagine dragons", at=100 * i)
    fill_index(state, turns)
    decision = rewrite("play imagin dragons", meta("dan", asr=0.6), CONFIG)
    for _ in range(3):
        state.store.record_outcome(decision.rewrite_id, won=False)
    assert state.store.all()[0].state is State.RETIRED
    assert rewrite("play imagin dragons", meta("dan", asr=0.6), CONFIG) is None


def test_corrections_come_first_and_belong_to_the_teachable_arm(state, store) -> None:
    store.add_correction("ann", "the big light", "the living room light")
    assert rewrite("turn on the big light", meta("ann"), CONFIG).source == "personal_correction"
    assert rewrite("turn on the big light", meta("ann", Arm.GLOBAL), CONFIG) is None


def test_a_message_naming_no_registered_database_gets_no_learned_rewrite(state) -> None:
    state.store.apply_mined([MinedPair("play maj and dragons", "play imagine dragons", 3, 0.9)])
    assert rewrite("play maj and dragons", meta("dan"), CONFIG) is not None
    for name in (None, "sqlite:////tmp/elsewhere.db", 42):
        metadata = {**meta("dan"), "learning": {**meta("dan")["learning"], "store": name}}
        assert rewrite("play maj and dragons", metadata, CONFIG) is None


def test_flags_travel_in_metadata() -> None:
    for arm in Arm:
        assert LearningFlags.from_metadata({"learning": arm.flags.to_metadata()}) == arm.flags
    assert LearningFlags.from_metadata({}) == Arm.FULL.flags
    assert not Arm.BASELINE.flags.rewrites and Arm.GLOBAL.flags.global_ and not Arm.GLOBAL.flags.personal


def test_config_reads_strings_and_ignores_unknown_keys() -> None:
    config = RewriterConfig.from_dict({"retrieval_threshold": "0.9", "global_min_users": "4", "other": 1})
    assert config.retrieval_threshold == 0.9 and config.global_min_users == 4


def test_a_database_registered_twice_stays_served_until_both_let_go(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    first = online.register(url)
    assert online.register(url) is first
    online.unregister(url)
    assert online._state_for({"learning": {"store": url}}) is first
    online.unregister(url)
    assert online._state_for({"learning": {"store": url}}) is None


def test_a_global_pair_that_adds_a_choice_is_not_imposed_but_a_personal_one_is(state) -> None:
    state.store.apply_mined([MinedPair("play some music", "play some rock", 3, 0.9),
                             MinedPair("play some music", "play some jazz", 2, 0.9, user_id="ann")])
    assert rewrite("play some music", meta("bob", asr=0.95), CONFIG) is None
    assert rewrite("play some music", meta("ann", asr=0.95), CONFIG).text == "play some jazz"


def _music_log(some_music_successes: int) -> list:
    turns = []
    for i, user in enumerate(("ann", "bob", "cat")):
        turns.append(turn(user, "play music", at=100 * i))
        turns.append(turn(user, "play music", at=100 * i + 5))
        turns.append(turn(user, "play music", at=100 * i + 9, feedback={"repeat": True}))
    for j in range(2):
        turns.append(turn("eve", "play some music", at=500 + 10 * j, feedback={"repeat": True}))
    for j in range(some_music_successes):
        turns.append(turn("fay", "play some music", at=600 + 10 * j))
    return turns


@pytest.mark.parametrize(("successes", "rewritten"), [(0, True), (2, False)])
def test_retrieval_needs_a_candidate_that_works_clearly_better(state, successes: int, rewritten: bool) -> None:
    # "play music" works 2 times in 3; "play some music" never (rewrite) or half the time (don't)
    fill_index(state, _music_log(successes))
    decision = rewrite("play some music", meta("dan", asr=0.5), CONFIG)
    assert (decision is not None and decision.text == "play music") is rewritten


def test_a_phrase_rule_rewrites_the_span_inside_any_request_in_the_arms_that_have_it(state) -> None:
    from assistant.learning.rewrites import Origin

    state.store.apply_mined([MinedPair("maj and", "imagine", 3, 0.9)], origin=Origin.PHRASE)
    decision = rewrite("Could you put on some maj and dragons?", meta("dan", asr=0.95), CONFIG)
    assert decision is not None and decision.source == "phrase"
    assert decision.text == "Could you put on some imagine dragons?"
    assert decision.rewrite_id is not None and decision.applied == ({"said": "maj and", "meant": "imagine"},)
    for arm in (Arm.GLOBAL, Arm.PERSONAL):
        assert rewrite("maj and dragons please", meta("dan", arm), CONFIG).text == "imagine dragons please"
    for arm in (Arm.BASELINE, Arm.TEACHABLE, Arm.SELFLEARN):
        assert rewrite("maj and dragons please", meta("dan", arm), CONFIG) is None
    alone = {**meta("dan"), "learning": {**LearningFlags(phrase_rules=False).to_metadata(), "store": URL[-1]}}
    assert rewrite("maj and dragons please", alone, CONFIG) is None   # the layer switched off alone


def test_a_phrase_rule_leaves_a_request_that_works_as_heard_alone(state) -> None:
    from assistant.learning.rewrites import Origin

    fill_index(state, [turn(u, "play maj and dragons", at=i) for i, u in enumerate("abc")])
    state.store.apply_mined([MinedPair("maj and", "imagine", 3, 0.9)], origin=Origin.PHRASE)
    assert rewrite("play maj and dragons", meta("dan"), CONFIG) is None


def test_a_users_own_phrase_rule_applies_to_them_alone_in_the_personal_arms(state) -> None:
    from assistant.learning.rewrites import Origin

    state.store.apply_mined([MinedPair("coughy", "coffee", 2, 0.9, user_id="ann")], origin=Origin.PHRASE)
    decision = rewrite("please start me some coughy", meta("ann", asr=0.95), CONFIG)
    assert decision is not None and decision.source == "personal_phrase"
    assert decision.text == "please start me some coffee" and "your own" in decision.why
    for arm in (Arm.PERSONAL, Arm.FULL):
        assert rewrite("start coughy", meta("ann", arm), CONFIG).text == "start coffee"
    assert rewrite("start coughy", meta("ben"), CONFIG) is None                  # nobody else's
    for arm in (Arm.BASELINE, Arm.TEACHABLE, Arm.GLOBAL, Arm.SELFLEARN):
        assert rewrite("start coughy", meta("ann", arm), CONFIG) is None
    alone = {**meta("ann"), "learning": {**LearningFlags(personal_phrase_rules=False).to_metadata(),
                                         "store": URL[-1]}}
    assert rewrite("start coughy", alone, CONFIG) is None   # the layer switched off alone
    # With the global phrase rules off, a user's own still apply.
    own = {**meta("ann"), "learning": {**LearningFlags(phrase_rules=False).to_metadata(), "store": URL[-1]}}
    assert rewrite("start coughy", own, CONFIG).source == "personal_phrase"


def test_a_users_own_phrase_rule_wins_over_the_global_one_for_the_same_span(state) -> None:
    from assistant.learning.rewrites import Origin

    state.store.apply_mined([MinedPair("cabs", "cubs", 3, 0.8)], origin=Origin.PHRASE)
    state.store.apply_mined([MinedPair("cabs", "cups", 2, 0.7, user_id="ann"),
                             MinedPair("cabs", "cubs", 3, 0.8)], origin=Origin.PHRASE)
    assert rewrite("how did the cabs do", meta("ann", asr=0.95), CONFIG).text == "how did the cups do"
    assert rewrite("how did the cabs do", meta("ben", asr=0.95), CONFIG).text == "how did the cubs do"
