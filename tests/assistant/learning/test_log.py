"""The interaction log: rows round-trip, feedback and truth merge, bad rows and writes are reported."""

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


def test_feedback_and_truth_merge_into_what_was_there(log: InteractionLog) -> None:
    turn_id = log.record(turn("alice", "play jazz", at=0, id=None))
    log.add_feedback(turn_id, repeat=True)
    log.add_feedback(turn_id, barge_in=True)
    log.annotate(turn_id, {"success": False})
    log.annotate(turn_id, {"failure_point": "asr"})
    stored = log.get(turn_id)
    assert stored.feedback == {"repeat": True, "barge_in": True}
    assert stored.truth == {"success": False, "failure_point": "asr"}
    assert stored.defect_signalled


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
                    truth={"success": True}, actions=["action_play_media"]))
    light = next(log.turns(light=True))
    assert light.context == {} and light.reply == "" and light.truth is None
    assert light.actions == ["action_play_media"] and light.text == "play jazz"
