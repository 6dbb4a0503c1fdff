"""Self-learning rewrites through the real stack: a failure several users fixed the same way
becomes a global rewrite that fixes a new user's turn; a user's own recurring fix becomes a
personal rewrite for that user only; a rewrite that keeps failing is retired."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from assistant.learning.mining import MineConfig, mine
from assistant.learning.rewrites import MinedPair, State

START = dt.datetime(2026, 1, 5, 8, 0)
DEVICE = "kitchen_speaker"


@pytest.fixture
def learning(fresh):
    """The session runtime with a clean learning state before and after, entity repair off (these
    are the rewrites' tests: repair would fix "maj and dragons" before any rewrite is learnt)."""
    flags = fresh.learning
    fresh.learning = dataclasses.replace(flags, global_repair=False, personal_repair=False)
    fresh.reset_learning()
    yield fresh
    fresh.reset_learning()
    fresh.learning = flags


@pytest.fixture
def repairing(fresh):
    """The session runtime with a clean learning state and entity repair on."""
    flags = fresh.learning
    fresh.learning = dataclasses.replace(flags, global_repair=True, personal_repair=True)
    fresh.reset_learning()
    yield fresh
    fresh.reset_learning()
    fresh.learning = flags


def say(rt, user: str, text: str, minute: float, asr: float | None = None):
    return rt.handle(text, user_id=user, device_id=DEVICE, asr_confidence=asr,
                     timestamp=START + dt.timedelta(minutes=minute))


def fail_then_fix(rt, user: str, wrong: str, right: str, minute: float) -> None:
    failed = say(rt, user, wrong, minute, asr=0.6)
    assert failed.problems or failed.intent == "nlu_fallback", failed.reply
    fixed = say(rt, user, right, minute + 0.2)
    assert not fixed.problems, fixed.reply
    rt.end_session(user)


def test_a_fix_shared_by_several_users_becomes_a_global_rewrite(learning) -> None:
    rt = learning
    for i, user in enumerate(("ann", "bob", "cat")):
        fail_then_fix(rt, user, "play maj and dragons", "play imagine dragons", minute=10 * i)
    report = mine(rt.log, rt.rewrites, MineConfig())
    added = {(r.source, r.target, r.scope) for r in report.added}
    assert ("play maj and dragons", "play imagine dragons", "global") in added
    result = say(rt, "dan", "play maj and dragons", 60, asr=0.6)
    assert result.rewrite is not None and result.rewrite["source"] == "precomputed"
    assert result.rewrite["original"] == "play maj and dragons"
    assert "Imagine Dragons" in result.reply
    say(rt, "dan", "thanks", 61)
    rt.end_session("dan")
    logged = [t for t in rt.log.turns(user_id="dan")]
    assert logged[0].text == "play maj and dragons" and logged[0].text_rewritten == "play imagine dragons"
    pair = [r for r in rt.rewrites.all() if r.source == "play maj and dragons"][0]
    assert (pair.wins, pair.losses) == (1, 0)


def test_one_users_own_fix_becomes_a_personal_rewrite_for_them_only(learning) -> None:
    rt = learning
    for day in range(2):
        fail_then_fix(rt, "eve", "play maj and dragons", "play imagine dragons", minute=24 * 60 * day)
    report = mine(rt.log, rt.rewrites, MineConfig())
    scopes = {(r.source, r.user_id) for r in report.added}
    assert ("play maj and dragons", "eve") in scopes
    assert ("play maj and dragons", "*") not in scopes     # one user cannot make a global pair
    assert say(rt, "eve", "play maj and dragons", 3 * 24 * 60, asr=0.6).rewrite["source"] == "precomputed"
    other = say(rt, "fay", "play maj and dragons", 3 * 24 * 60, asr=0.95)
    assert other.rewrite is None and other.problems == ["NOT_FOUND"]


def test_a_rewrite_that_keeps_failing_is_retired(learning) -> None:
    rt = learning
    # (a global pair like this one is refused outright: it adds words nobody said; a personal
    # one is trusted until it fails)
    rt.rewrites.apply_mined([MinedPair("what time is it", "play the hunger games", support=3, probability=0.9,
                                       user_id="gus")])
    assert say(rt, "ida", "what time is it", 0).rewrite is None
    for i in range(3):
        bad = say(rt, "gus", "what time is it", 10 * i)
        if bad.rewrite is None:
            break
        assert bad.rewrite["rewritten"] == "play the hunger games"
        say(rt, "gus", "no, that's wrong", 10 * i + 0.1)
        rt.end_session("gus")
    pair = rt.rewrites.all()[0]
    assert pair.state is State.RETIRED and pair.losses >= 2
    after = say(rt, "gus", "what time is it", 60)
    assert after.rewrite is None and after.intent == "ask_time"


def test_reset_learning_leaves_nothing_learnt(learning) -> None:
    from assistant.habits.hook import habit_store

    rt = learning
    taught = say(rt, "hal", "when I say movie time, dim the living room lights and turn on the TV", 0)
    assert habit_store(rt).concepts("hal"), taught.reply
    say(rt, "hal", "I love jazz", 1)
    rt.rewrites.apply_mined([MinedPair("what time is it", "play the hunger games", support=3, probability=0.9)])
    rt.reset_learning()
    assert habit_store(rt).concepts("hal") == [] and rt.preferences.get("hal") == []
    assert rt.log.count() == 0 and rt.rewrites.all() == []


def test_an_entity_repair_is_logged_counted_and_retired_when_it_keeps_failing(repairing) -> None:
    from assistant.learning.rewrites import GLOBAL
    from assistant.repair.settle import repairs_of
    from assistant.repair.store import RepairStore

    rt = repairing
    first = say(rt, "ann", "play maj and dragons", 0, asr=0.6)
    assert first.reply.startswith("Playing Imagine Dragons") and not first.problems
    say(rt, "ann", "thanks", 0.5)
    rt.end_session("ann")
    [logged] = [t for t in rt.log.turns(user_id="ann") if t.text == "play maj and dragons"]
    assert [(r.heard, r.value) for r in repairs_of(logged)] == [("maj and dragons", "Imagine Dragons")]
    for i, user in enumerate(("bob", "cat")):   # each says it was wrong: two losses
        assert say(rt, user, "play maj and dragons", 10 + 10 * i, asr=0.6).reply.startswith("Playing Imagine")
        say(rt, user, "that's not what I asked", 10.2 + 10 * i)
        rt.end_session(user)
    records = {r.user_id: r for r in RepairStore.open(rt.data.learning_url).all()}
    # One win in three: below the rewrites' retirement bar (RetirePolicy: 3 trials, half won).
    assert (records[GLOBAL].wins, records[GLOBAL].losses, records[GLOBAL].state) == (1, 2, State.RETIRED)
    assert (records["ann"].wins, records["bob"].losses) == (1, 1)
    after = say(rt, "eve", "play maj and dragons", 60, asr=0.6)   # retired: no longer applied
    assert after.problems and not after.reply.startswith("Playing")
