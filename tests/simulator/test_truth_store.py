"""The simulator's truth, kept beside the product's log and joined back on the turn id."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa

from assistant.learning.log import InteractionLog, TurnRecord
from simulator import truth_store
from simulator.truth_store import TruthStore, attach_beside, for_log, truth_target, turns_with_truth


def _turn(user: str, text: str, truth: dict | None = None) -> TurnRecord:
    return TurnRecord(user_id=user, device_id="kitchen_speaker", session_id=user,
                      timestamp=dt.datetime(2026, 1, 5, 8, 0), text=text, truth=truth)


def test_where_the_truth_is_kept(tmp_path: Path) -> None:
    assert truth_target(f"sqlite:///{tmp_path}/learning.db") == f"sqlite:///{tmp_path}/learning.truth.db"
    assert truth_target(tmp_path / "x" / "log.db") == f"sqlite:///{tmp_path}/x/log.truth.db"
    assert truth_target("sqlite://") == "sqlite://"
    assert truth_target("postgresql://u@h/db") == "postgresql://u@h/db"   # its own table there


def test_merge_attach_and_a_stale_row_of_another_user(tmp_path: Path) -> None:
    with TruthStore.open(tmp_path / "t.db") as store:
        store.merge(1, {"success": False, "reaction": None}, user_id="alice")
        store.merge(1, {"reaction": "repeat"}, user_id="alice")
        store.merge(2, {"goal_id": "old"}, user_id="bob")
        store.merge(2, {"goal_id": "new"}, user_id="carol")      # a cleared log gave id 2 to carol
        assert store.get(1) == {"success": False, "reaction": "repeat"}
        assert store.get(2) == {"goal_id": "new"} and store.get(3) is None
        records = [_turn("alice", "a"), _turn("dave", "b"), _turn("alice", "c")]
        for number, record in enumerate(records, start=1):
            record.id = number
        store.attach(records)
        assert [r.truth for r in records] == [{"success": False, "reaction": "repeat"}, None, None]
        assert store.forget_user("alice") == 1 and store.count() == 1
        store.clear()
        assert store.count() == 0


def test_a_file_log_keeps_its_truth_in_a_file_beside_it_and_analyze_reads_it(tmp_path: Path) -> None:
    path = tmp_path / "learning.db"
    with InteractionLog.open(path) as log:
        ids = truth_store.record_many(log, [_turn("alice", "play jazz", {"success": True}), _turn("bob", "hi")])
        for_log(log).merge(ids[1], {"success": False}, user_id="bob")
        assert [t.truth for t in turns_with_truth(log)] == [{"success": True}, {"success": False}]
        assert [t.truth for t in log.turns()] == [None, None]       # the product reads none
    assert (tmp_path / "learning.truth.db").exists()
    with InteractionLog.open(path) as log:
        attached = attach_beside(log.url, log.turns())
    assert [t.truth for t in attached] == [{"success": True}, {"success": False}]


def test_no_store_is_made_to_read_a_log_without_truth(tmp_path: Path) -> None:
    path = tmp_path / "learning.db"
    with InteractionLog.open(path) as log:
        log.record(_turn("alice", "play jazz", {"success": True}))
        records = attach_beside(log.url, log.turns())
    assert [r.truth for r in records] == [None]
    assert not (tmp_path / "learning.truth.db").exists()


def test_an_in_memory_log_has_its_own_store_for_its_lifetime() -> None:
    first, second = InteractionLog.open("sqlite://"), InteractionLog.open("sqlite://")
    try:
        truth_store.record_many(first, [_turn("alice", "hi", {"goal_id": "g"})])
        second.record(_turn("alice", "hi"))
        assert for_log(first) is for_log(first) and for_log(first) is not for_log(second)
        assert [t.truth for t in turns_with_truth(first)] == [{"goal_id": "g"}]
        assert [t.truth for t in turns_with_truth(second)] == [None]
    finally:
        first.close()
        second.close()


def test_an_older_logs_truth_column_is_copied_once(tmp_path: Path) -> None:
    path = tmp_path / "learning.db"
    with InteractionLog.open(path) as log:
        ids = log.record_many([_turn("alice", "play jazz"), _turn("bob", "hi")])
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE turns ADD COLUMN truth TEXT"))
        conn.execute(sa.text("UPDATE turns SET truth = '{\"success\": true}' WHERE id = :i"), {"i": ids[0]})
        conn.execute(sa.text("UPDATE turns SET truth = 'garbage' WHERE id = :i"), {"i": ids[1]})
    engine.dispose()
    with InteractionLog.open(path) as log:
        assert [t.truth for t in log.turns()] == [None, None]
        assert [t.truth for t in attach_beside(log.url, log.turns())] == [{"success": True}, None]
    with TruthStore.beside(f"sqlite:///{path}") as store:
        assert store.count() == 1 and store.import_legacy(f"sqlite:///{path}") == 0
