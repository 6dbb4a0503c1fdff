"""The interaction log: rows round-trip, feedback merges, no truth is kept, an older file with a
truth column still opens, bad rows and writes are reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.learning.log import Feedback, InteractionLog, InteractionLogError
from tests.assistant.learning.rephrase_logs import turn


@pytest.fixture
def log(tmp_path: Path):
    with InteractionLog.open(tmp_path / "learning.db") as opened:
        yield opened


def test_a_turn_round_trips_with_every_field(log: InteractionLog) -> None:
    record = turn("alice", "play maj and dragons", at=0, id=None, entities=[{"entity": "artist", "value": "x"}],
                  actions=["action_play_media"], reply="I couldn't find it.", problems=["NOT_FOUND"],
                  context={"room": "kitchen"}, asr_confidence=0.6, text_rewritten="play imagine dragons",
                  rewrite_source="global", rewrite_id=3)
    turn_id = log.record(record)
    assert record.id == turn_id
    stored = log.get(turn_id)
    assert stored is not None
    assert stored.to_json() == record.to_json()


def test_feedback_merges_into_what_was_there(log: InteractionLog) -> None:
    turn_id = log.record(turn("alice", "play jazz", at=0, id=None))
    log.add_feedback(turn_id, repeat=True)
    log.add_feedback(turn_id, barge_in=True)
    stored = log.get(turn_id)
    assert stored.feedback == {"repeat": True, "barge_in": True}
    assert stored.defect_signalled


def test_the_log_keeps_no_truth(log: InteractionLog, tmp_path: Path) -> None:
    import sqlalchemy as sa

    turn_id = log.record(turn("alice", "play jazz", at=0, id=None, truth={"success": False}))
    assert log.get(turn_id).truth is None and not hasattr(log, "annotate")
    columns = {c["name"] for c in sa.inspect(sa.create_engine(f"sqlite:///{tmp_path / 'learning.db'}"))
               .get_columns("turns")}
    assert "truth" not in columns and {"feedback", "evidence", "explore_choice"} <= columns


def test_an_older_file_with_a_truth_column_opens_with_every_other_column(tmp_path: Path) -> None:
    import sqlalchemy as sa

    path = tmp_path / "old.db"
    with InteractionLog.open(path) as log:
        first = log.record(turn("alice", "play jazz", at=0, id=None, actions=["action_play_media"],
                                feedback={"repeat": True}, asr_confidence=0.7))
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:   # the column an older version wrote the simulator's truth to
        conn.execute(sa.text("ALTER TABLE turns ADD COLUMN truth TEXT"))
        conn.execute(sa.text("UPDATE turns SET truth = '{\"success\": true}' WHERE id = :i"), {"i": first})
    engine.dispose()
    with InteractionLog.open(path) as log:
        before = log.get(first)
        assert before.truth is None and before.actions == ["action_play_media"]
        assert before.feedback == {"repeat": True} and before.asr_confidence == 0.7
        second = log.record(turn("bob", "play pop", at=1, id=None, truth={"success": False}))
        log.add_feedback(second, barge_in=True)
        assert [t.user_id for t in log.turns()] == ["alice", "bob"] and log.get(second).feedback == {"barge_in": True}
        assert log.find_request("nothing") is None
        assert log.forget_user("alice") == 1 and log.count() == 1
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:   # left alone: never written by this version
        assert conn.execute(sa.text("SELECT truth FROM turns")).scalars().all() == [None]
    engine.dispose()


def test_no_feedback_is_no_defect_and_explicit_no_is(log: InteractionLog) -> None:
    quiet = log.record(turn("alice", "play jazz", at=0, id=None))
    assert not log.get(quiet).defect_signalled
    log.add_feedback(quiet, **{Feedback.EXPLICIT: "no"})
    assert log.get(quiet).defect_signalled


def test_feedback_for_a_missing_turn_is_an_error(log: InteractionLog) -> None:
    with pytest.raises(InteractionLogError, match="no turn 99"):
        log.add_feedback(99, repeat=True)


def test_turns_stream_in_order_and_filter_by_user(log: InteractionLog) -> None:
    log.record_many([turn(u, f"request {i}", at=i, id=None) for i, u in enumerate("abab")])
    assert [t.text for t in log.turns(batch=1)] == [f"request {i}" for i in range(4)]
    assert [t.text for t in log.turns(user_id="b")] == ["request 1", "request 3"]
    assert log.count() == 4


def test_long_and_odd_text_is_stored_capped_and_intact(log: InteractionLog) -> None:
    odd = "'; DROP TABLE turns; -- 🎵 \u202e" + "x" * 10_000
    turn_id = log.record(turn("alice", odd, at=0, id=None))
    assert log.get(turn_id).text == odd[:500]
    assert log.count() == 1


def test_a_corrupt_json_column_reads_as_empty(log: InteractionLog, tmp_path: Path) -> None:
    import sqlalchemy as sa

    turn_id = log.record(turn("alice", "play jazz", at=0, id=None, actions=["a"]))
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'learning.db'}", future=True)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE turns SET actions = '{not json', feedback = 'x' WHERE id = :i"), {"i": turn_id})
    stored = log.get(turn_id)
    assert stored.actions == [] and stored.feedback == {}


def test_a_failed_batch_stores_nothing(log: InteractionLog) -> None:
    good = turn("alice", "play jazz", at=0, id=None)
    bad = turn("bob", "play pop", at=1, id=None)
    bad.user_id = None  # NOT NULL column: the insert fails
    with pytest.raises(InteractionLogError):
        log.record_many([good, bad])
    assert log.count() == 0


def test_clear_empties_the_log(log: InteractionLog) -> None:
    log.record(turn("alice", "play jazz", at=0, id=None))
    log.clear()
    assert log.count() == 0 and list(log.turns()) == []


def test_an_unopenable_location_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(InteractionLogError, match="could not open the interaction log"):
        InteractionLog.open(blocker / "learning.db")


def test_a_row_with_a_garbage_timestamp_is_skipped_and_counted(log: InteractionLog, tmp_path: Path) -> None:
    import sqlalchemy as sa

    ids = log.record_many([turn("alice", f"request {i}", at=i, id=None) for i in range(3)])
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'learning.db'}", future=True)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE turns SET timestamp = 'yesterday-ish' WHERE id = :i"), {"i": ids[1]})
    assert [t.text for t in log.turns()] == ["request 0", "request 2"]
    assert log.skipped_rows == 1 and log.get(ids[1]) is None


def test_a_light_read_leaves_the_heavy_columns_out(log: InteractionLog) -> None:
    log.record(turn("alice", "play jazz", at=0, id=None, context={"room": "kitchen"}, reply="Playing jazz.",
                    actions=["action_play_media"]))
    light = next(log.turns(light=True))
    assert light.context == {} and light.reply == "" and light.truth is None
    assert light.actions == ["action_play_media"] and light.text == "play jazz"
