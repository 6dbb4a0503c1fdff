"""A global rewrite needs real consensus, and may not change what a request does (issue 18)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from assistant.learning.consensus import ConsensusPolicy, StateStats, Verdict, action_change, judge
from assistant.learning.log import InteractionLog
from assistant.learning.mining import MineConfig, mine
from assistant.learning.rewrites import GLOBAL, RewriteStore, State
from assistant.similarity import token_similarity
from tests.assistant.learning.rephrase_logs import turn


@pytest.mark.parametrize(("source", "target"), [
    ("close the garage door", "open the garage door"),
    ("lock the front door", "unlock the front door"),
    ("turn on the lights", "turn off the lights"),
    ("set an alarm for 7 am", "cancel my alarm"),
    ("turn on the lights", "turn on the tv"),
    ("turn on the kitchen lights", "turn on the bedroom lights"),
    ("set an alarm for 7 am", "set an alarm for 9 am"),
    ("start the coffee maker", "stop the coffee maker"),
])
def test_a_change_of_action_device_room_or_number_is_seen_in_the_words(source: str, target: str) -> None:
    assert action_change(source, target) != ""


@pytest.mark.parametrize(("source", "target"), [
    ("turn of the lights", "turn off the lights"),
    ("play maj and dragons", "play imagine dragons"),
    ("turn on the lice", "turn on the lights"),
    ("what is the whether", "what is the weather"),
    ("said an alarm for 7 am", "set an alarm for 7 am"),
    ("close the garage", "close the garage door"),
])
def test_mishearings_change_nothing(source: str, target: str) -> None:
    assert action_change(source, target) == ""


def _stats(intent: str, confidence: float, users: int = 5, entities=()) -> StateStats:
    stats = StateStats()
    for i in range(users):
        stats.add(f"u{i}", intent, confidence, entities)
    return stats


def test_a_confident_request_may_not_become_another_intent() -> None:
    # Outside any list of opposites: nothing in the words says it, NLU does.
    said, meant = _stats("ask_weather", 0.97), _stats("unlock", 0.95)
    assert "intent" in action_change("what's it like outside", "let me in", ConsensusPolicy(), said, meant)


def test_a_confident_request_may_not_change_an_entity_value() -> None:
    said = _stats("play_media", 0.95, entities=[("genre", "jazz")])
    meant = _stats("play_media", 0.95, entities=[("genre", "metal")])
    assert "genre" in action_change("play something smooth", "play something heavy", ConsensusPolicy(), said, meant)


def test_a_misheard_source_nlu_was_unsure_of_may_become_another_intent() -> None:
    said, meant = _stats("turn_on", 0.41), _stats("turn_off", 0.96)
    assert action_change("turn of the lights", "turn off the lights", ConsensusPolicy(), said, meant) == ""


def test_consensus_needs_enough_users_and_a_share_of_those_who_said_it() -> None:
    policy = ConsensusPolicy(min_users=3, min_share=0.3)
    two = {"a", "b"}
    assert judge("x y", "x z", two, policy).verdict is Verdict.TOO_FEW_USERS
    said = _stats("nlu_fallback", 0.2, users=20)
    three = {"u0", "u1", "u2"}
    assert judge("x y", "x z", three, policy, said).verdict is Verdict.TOO_SMALL_SHARE
    said_by_few = _stats("nlu_fallback", 0.2, users=6)
    assert judge("x y", "x z", three, policy, said_by_few).kept


# -- through mining ------------------------------------------------------------------------


@pytest.fixture
def stores(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'learning.db'}"
    with InteractionLog.open(url) as log, RewriteStore.open(url) as store:
        yield log, store


def _chain(user: str, wrong: str, right: str, at: float, *, wrong_intent: str = "nlu_fallback",
           wrong_confidence: float = 0.3, right_intent: str = "device_control"):
    session = f"{user}-{at:g}"
    return [turn(user, wrong, at=at, session=session, intent=wrong_intent, confidence=wrong_confidence,
                 feedback={"rephrase": True}),
            turn(user, right, at=at + 8, session=session, intent=right_intent, confidence=0.95)]


def _similar(pairs):
    return [max(0.8, s) for s in token_similarity(pairs)]


def _record(log, turns) -> None:
    for t in turns:
        t.id = None
    log.record_many(list(turns))


def test_colluding_attackers_write_no_harmful_global_pair(stores) -> None:
    log, store = stores
    attacks = [("close the garage door", "open the garage door", "close_cover", "open_cover"),
               ("set an alarm for 7 am", "cancel my alarm", "set_alarm", "cancel_alarm"),
               ("turn on the kitchen lights", "play some heavy metal", "turn_on", "play_media")]
    for n, attacker in enumerate(("mallory", "trudy", "oscar")):
        for k in range(10):
            for i, (wrong, right, wi, ri) in enumerate(attacks):
                _record(log, _chain(attacker, wrong, right, at=10_000 * k + 1000 * i + n,
                                    wrong_intent=wi, wrong_confidence=0.96, right_intent=ri))
    report = mine(log, store, MineConfig(), similarity=_similar)
    assert [r for r in store.all() if r.user_id == GLOBAL] == []
    assert {(r["source"], r["verdict"]) for r in report.refused} == {
        (wrong, Verdict.CHANGES_ACTION.value) for wrong, *_ in attacks}
    # each attacker keeps his own pairs: they change nobody else's words
    assert {r.user_id for r in store.all()} == {"mallory", "trudy", "oscar"}


def test_a_genuine_mishearing_still_becomes_global_with_its_supporters(stores) -> None:
    log, store = stores
    for i, user in enumerate(("alice", "bob", "carol")):
        _record(log, _chain(user, "turn of the lights", "turn off the lights", at=100 * i,
                            wrong_intent="turn_on", wrong_confidence=0.45, right_intent="turn_off"))
    mine(log, store, MineConfig(), similarity=_similar)
    [rewrite] = store.all()
    assert (rewrite.source, rewrite.target, rewrite.user_id) == ("turn of the lights", "turn off the lights", GLOBAL)
    assert rewrite.supporters == ("alice", "bob", "carol")


def test_two_users_are_not_enough_but_keep_their_own(stores) -> None:
    log, store = stores
    for user in ("alice", "bob"):
        for at in (0, 500):
            _record(log, _chain(user, "turn of the lights", "turn off the lights", at=at))
    report = mine(log, store, MineConfig(), similarity=_similar)
    assert sorted(r.user_id for r in store.all()) == ["alice", "bob"]
    assert report.global_pairs == 0


def test_a_blocked_rewrite_stays_blocked_after_mining(stores) -> None:
    log, store = stores
    for i, user in enumerate(("alice", "bob", "carol")):
        _record(log, _chain(user, "play maj and dragons", "play imagine dragons", at=100 * i))
    mine(log, store, MineConfig(), similarity=_similar)
    [rewrite] = store.all()
    store.block(int(rewrite.id))
    assert store.lookup("play maj and dragons", "alice") is None
    mine(log, store, MineConfig(), similarity=_similar)
    assert store.all()[0].state is State.BLOCKED
    with pytest.raises(Exception, match="no rewrite with id 999"):
        store.block(999)


def test_the_block_option_and_the_listing_of_supporters(tmp_path: Path, capsys, monkeypatch) -> None:
    from assistant.learning import commands, mining
    from assistant.paths import DataDir

    monkeypatch.setattr(mining, "minilm_similarity", _similar)
    monkeypatch.delenv("ASSISTANT_LEARNING_URL", raising=False)
    monkeypatch.setenv("COLUMNS", "250")
    url = DataDir(tmp_path).learning_url
    with InteractionLog.open(url) as log, RewriteStore.open(url) as store:
        for i, user in enumerate(("alice", "bob", "carol")):
            _record(log, _chain(user, "play maj and dragons", "play imagine dragons", at=100 * i))
        mine(log, store, MineConfig(), similarity=_similar)
        rewrite_id = store.all()[0].id
    args = argparse.Namespace(data_dir=tmp_path, verbose=False, json=None, user=None, block=None)
    assert commands.run_rewrites(args) == 0
    assert "alice, bob, carol" in capsys.readouterr().out
    args.block = rewrite_id
    assert commands.run_rewrites(args) == 0
    printed = capsys.readouterr().out
    assert f"Blocked rewrite {rewrite_id}" in printed and "blocked" in printed
    args.block = 12345
    assert commands.run_rewrites(args) == 1
