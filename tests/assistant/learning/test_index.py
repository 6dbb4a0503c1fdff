"""The utterance index: per-user and global success records from a log."""

from __future__ import annotations

from pathlib import Path

from assistant.learning import index
from assistant.learning.log import InteractionLog
from assistant.learning.rewrites import GLOBAL, RewriteStore
from tests.assistant.learning.rephrase_logs import failed_then_fixed, turn


def _by_key(stats):
    return {(s.user_id, s.text): s for s in stats}


def test_successes_and_failures_per_user_and_for_everyone() -> None:
    turns = []
    for i, user in enumerate(("ann", "bob", "cat")):
        turns += failed_then_fixed(user, "play maj and dragons", "play imagine dragons", at=100 * i)
    stats = _by_key(index.aggregate(turns))
    right = stats[(GLOBAL, "play imagine dragons")]
    assert (right.successes, right.failures, right.users, right.intent) == (3, 0, 3, "play_music")
    wrong = stats[(GLOBAL, "play maj and dragons")]
    assert (wrong.successes, wrong.failures, wrong.users) == (0, 3, 0)
    assert stats[("ann", "play imagine dragons")].successes == 1


def test_a_rewritten_turn_counts_for_its_target_never_against_what_was_heard() -> None:
    won = turn("ann", "play maj and dragons", at=0, text_rewritten="play imagine dragons")
    lost = turn("bob", "play maj and dragons", at=5, text_rewritten="play imagine dragons",
                feedback={"repeat": True})
    stats = _by_key(index.aggregate([won, lost]))
    assert stats[(GLOBAL, "play imagine dragons")].successes == 1
    assert (GLOBAL, "play maj and dragons") not in stats


def test_answers_and_greetings_are_not_indexed() -> None:
    stats = index.aggregate([turn("ann", "yes", at=0, intent="affirm"), turn("ann", "hi", at=1, intent="greet")])
    assert stats == []


def test_rebuild_replaces_the_table_and_bumps_the_generation(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'learning.db'}"
    with InteractionLog.open(url) as log, RewriteStore.open(url) as store:
        assert index.load(store) == []
        log.record_many([turn("ann", "play jazz", at=0, id=None)])
        before = store.generation()
        assert index.rebuild(log, store) == 2
        assert store.generation() > before
        log.clear()
        assert index.rebuild(log, store) == 0 and index.load(store) == []


def test_fillers_do_not_split_an_utterance() -> None:
    from assistant.text import normalize

    assert normalize("Hey, uh, play jazz please!") == normalize("play jazz") == "play jazz"
    assert normalize("please") == "please"   # nothing but fillers: kept as said
