"""The rewrite table: lookups, outcomes and retirement, mined updates in one transaction."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.learning.rewrites import (
    GLOBAL,
    MinedPair,
    Origin,
    RetirePolicy,
    Rewrite,
    RewriteStore,
    RewriteStoreError,
    State,
)


@pytest.fixture
def store(tmp_path: Path):
    with RewriteStore.open(tmp_path / "learning.db", RetirePolicy(min_trials=3, min_win_rate=0.5)) as opened:
        yield opened


def test_lookup_prefers_the_users_own_pair_then_the_global_one(store: RewriteStore) -> None:
    store.apply_mined([MinedPair("play maj and dragons", "play imagine dragons", 3, 0.9),
                       MinedPair("play maj and dragons", "play magic dragons", 2, 0.8, user_id="bob")])
    assert store.lookup("Play maj and dragons!", "alice").target == "play imagine dragons"
    assert store.lookup("play maj and dragons", "bob").target == "play magic dragons"
    assert store.lookup("play maj and dragons", "bob", personal=False).target == "play imagine dragons"
    assert store.lookup("play maj and dragons", "alice", global_=False) is None
    assert store.lookup("something else", "alice") is None


def test_outcomes_count_and_a_losing_rewrite_is_retired_and_no_longer_applied(store: RewriteStore) -> None:
    store.apply_mined([MinedPair("play maj and dragons", "play imagine dragons", 3, 0.9)])
    rewrite = store.lookup("play maj and dragons", None)
    store.record_outcome(rewrite.id, won=True)
    store.record_outcome(rewrite.id, won=False)
    assert store.lookup("play maj and dragons", None) is not None
    after = store.record_outcome(rewrite.id, won=False)
    assert (after.wins, after.losses, after.state) == (1, 2, State.RETIRED)
    assert store.lookup("play maj and dragons", None) is None


def test_a_winning_rewrite_stays_active(store: RewriteStore) -> None:
    rewrite = store.add(Rewrite("play jaz", "play jazz", origin=Origin.RETRIEVAL))
    for _ in range(5):
        store.record_outcome(rewrite.id, won=True)
    assert store.all()[0].state is State.ACTIVE and store.all()[0].wins == 5


def test_mining_again_updates_retires_and_keeps_loss_retirements(store: RewriteStore) -> None:
    first = store.apply_mined([MinedPair("a b", "a c", 3, 0.9), MinedPair("x y", "x z", 3, 0.9)])
    assert len(first.added) == 2
    loser = store.lookup("x y", None)
    for _ in range(3):
        store.record_outcome(loser.id, won=False)
    second = store.apply_mined([MinedPair("a b", "a c", 4, 0.95), MinedPair("x y", "x z", 3, 0.9),
                                MinedPair("p q", "p r", 2, 0.7)])
    assert [r.source for r in second.added] == ["p q"]
    assert [r.support for r in second.updated] == [4]
    assert store.lookup("x y", None) is None  # retired for its losses, not revived
    third = store.apply_mined([MinedPair("p q", "p r", 2, 0.7)])
    assert sorted(r.source for r in third.retired) == ["a b"]
    assert {r.source: r.state for r in store.all()}["a b"] is State.RETIRED


def test_a_failed_mining_write_leaves_the_table_untouched(store: RewriteStore) -> None:
    store.apply_mined([MinedPair("a b", "a c", 3, 0.9)])
    before = [r.to_json() for r in store.all()]
    with pytest.raises(RewriteStoreError, match="table unchanged"):
        store.apply_mined([MinedPair("d e", "d f", 3, 0.9), MinedPair("g h", None, 3, 0.9)])  # type: ignore[arg-type]
    assert [r.to_json() for r in store.all()] == before


def test_add_returns_the_stored_rewrite_for_the_same_pair(store: RewriteStore) -> None:
    first = store.add(Rewrite("play jaz", "play jazz", origin=Origin.RETRIEVAL))
    again = store.add(Rewrite("Play  JAZ", "play jazz", origin=Origin.RETRIEVAL))
    assert again.id == first.id and len(store.all()) == 1
    assert store.all()[0].user_id == GLOBAL


def test_the_generation_changes_on_every_write(store: RewriteStore) -> None:
    start = store.generation()
    store.add(Rewrite("play jaz", "play jazz"))
    assert store.generation() == start + 1
    store.clear()
    assert store.generation() == start + 2 and store.all() == []
