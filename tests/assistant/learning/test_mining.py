"""Mining hand-made logs into the rewrite table (token overlap stands in for MiniLM)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.learning.log import InteractionLog
from assistant.learning.mining import MineConfig, MiningError, mine
from assistant.learning.rewrites import Origin, RewriteStore, State
from assistant.similarity import token_similarity
from tests.assistant.learning.rephrase_logs import failed_then_fixed, turn

WRONG, RIGHT = "play maj and dragons", "play imagine dragons"


def _similar(pairs):
    """Overlap, except the two phrasings of the test's request, which MiniLM finds close."""
    return [0.8 if {a, b} == {WRONG, RIGHT} else s for (a, b), s in zip(pairs, token_similarity(pairs))]


@pytest.fixture
def stores(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'learning.db'}"
    with InteractionLog.open(url) as log, RewriteStore.open(url) as store:
        yield log, store


def _record(log: InteractionLog, turns) -> None:
    for t in turns:
        t.id = None
    log.record_many(list(turns))


def _mine(log, store, config: MineConfig = MineConfig(), **kwargs):
    return mine(log, store, config, similarity=_similar, **kwargs)


def test_a_failure_fixed_the_same_way_by_three_users_becomes_a_global_pair(stores) -> None:
    log, store = stores
    for i, user in enumerate(("alice", "bob", "carol")):
        _record(log, failed_then_fixed(user, WRONG, RIGHT, at=100 * i))
    report = _mine(log, store)
    assert [(r.source, r.target, r.user_id, r.support, r.probability) for r in store.all()] == [
        (WRONG, RIGHT, "*", 3, pytest.approx(1.0))]
    assert (report.turns, report.rephrases, report.chains, report.states) == (6, 3, 3, 2)
    assert (report.global_pairs, report.personal_pairs, len(report.added)) == (1, 0, 1)
    again = _mine(log, store)
    assert (len(again.added), len(again.updated), len(again.retired), again.unchanged) == (0, 0, 0, 1)


def test_one_user_alone_yields_only_a_personal_pair(stores) -> None:
    log, store = stores
    _record(log, failed_then_fixed("alice", WRONG, RIGHT, at=0)
            + failed_then_fixed("alice", WRONG, RIGHT, at=1000))
    report = _mine(log, store)
    assert [(r.source, r.target, r.user_id, r.support) for r in store.all()
            if r.origin is not Origin.PHRASE] == [(WRONG, RIGHT, "alice", 2)]
    assert (report.global_pairs, report.personal_pairs) == (0, 1)
    assert store.lookup(WRONG, "alice") is not None and store.lookup(WRONG, "bob") is None


def test_a_pair_no_longer_mined_is_retired(stores) -> None:
    log, store = stores
    _record(log, failed_then_fixed("alice", WRONG, RIGHT, at=0) + failed_then_fixed("bob", WRONG, RIGHT, at=0)
            + failed_then_fixed("carol", WRONG, RIGHT, at=0))
    assert len(_mine(log, store).added) == 1
    log.clear()
    report = _mine(log, store)
    assert [r.source for r in report.retired] == [WRONG]
    assert store.all()[0].state is State.RETIRED


def test_a_log_without_rephrases_gives_no_pairs(stores) -> None:
    log, store = stores
    _record(log, [turn("alice", "turn on the lights", at=0), turn("alice", "what time is it", at=30),
                  turn("bob", "play jazz", at=0)])
    report = _mine(log, store)
    assert (report.turns, report.rephrases, report.pairs, report.states) == (3, 0, 0, 3)
    assert store.all() == []


def test_an_empty_log_is_a_clear_result(stores) -> None:
    log, store = stores
    report = _mine(log, store)
    assert (report.turns, report.pairs, report.states) == (0, 0, 0)
    assert "0 turns read" in report.summary()


def test_cycles_and_a_very_long_utterance_are_mined(stores) -> None:
    log, store = stores
    long_text = "play " + "la " * 3333
    for i, user in enumerate(("alice", "bob", "carol")):
        session = f"{user}-cycle"
        _record(log, [
            turn(user, WRONG, at=i * 500, session=session, intent="nlu_fallback", confidence=0.2),
            turn(user, "play maj and dragons now", at=i * 500 + 5, session=session, intent="nlu_fallback",
                 confidence=0.2),
            turn(user, WRONG, at=i * 500 + 10, session=session, intent="nlu_fallback", confidence=0.2),
            turn(user, RIGHT, at=i * 500 + 15, session=session),
            turn(user, long_text, at=i * 500 + 300, session=session),
        ])
    report = _mine(log, store)
    assert report.chains == 3 and report.rephrases == 9
    pairs = {(r.source, r.target) for r in store.all()}
    assert (WRONG, RIGHT) in pairs and ("play maj and dragons now", RIGHT) in pairs


def test_feedback_on_a_rewritten_turn_counts_for_the_rewrite_not_the_original(stores) -> None:
    log, store = stores
    for user in ("alice", "bob", "carol"):
        # heard WRONG, rewritten to "play image dragons" which failed, then RIGHT worked
        _record(log, [
            turn(user, WRONG, text_rewritten="play image dragons", at=0, session=f"{user}-x",
                 intent="nlu_fallback", confidence=0.3, feedback={"rephrase": True}),
            turn(user, RIGHT, at=5, session=f"{user}-x"),
        ])
    _mine(log, store)
    assert [(r.source, r.target) for r in store.all()] == [("play image dragons", RIGHT)]


def test_a_corrupt_row_is_skipped_and_counted(stores) -> None:
    import sqlalchemy as sa

    log, store = stores
    for user in ("alice", "bob"):
        _record(log, failed_then_fixed(user, WRONG, RIGHT, at=0))
    broken = turn("eve", "play jazz", at=0)
    _record(log, [broken])
    with log._engine.begin() as conn:  # noqa: SLF001 - breaking a row on purpose
        conn.execute(sa.text(
            "UPDATE turns SET user_id = '', session_id = '', text = '', entities = '{garbage', "
            "actions = 'nope', context = '{', feedback = 'not json' WHERE id = :id"), {"id": broken.id})
        conn.execute(sa.text("UPDATE turns SET timestamp = 'yesterday-ish', feedback = '[1' WHERE id = :id"),
                     {"id": broken.id - 1})
    report = _mine(log, store)
    # the log skips the row with a garbage timestamp, mining the row with no user or text
    assert (report.skipped, report.global_pairs) == (2, 0)
    assert report.index_rows is not None   # the retrieval index was rebuilt past the bad rows
    # bob's second turn lost its timestamp: only alice's chain is left (one user: no global pair)
    assert report.rephrases == 1


def test_a_failing_write_leaves_the_table_untouched(stores, monkeypatch) -> None:
    from assistant.learning import rewrites

    log, store = stores
    _record(log, failed_then_fixed("alice", WRONG, RIGHT, at=0) + failed_then_fixed("bob", WRONG, RIGHT, at=0)
            + failed_then_fixed("carol", WRONG, RIGHT, at=0))
    _mine(log, store)
    before = [r.to_json() for r in store.all()]
    for user in ("dave", "erin", "frank"):
        _record(log, failed_then_fixed(user, "play some jaz music", "play some jazz music", at=0)
                + failed_then_fixed(user, "set a timer for ten minute", "set a timer for ten minutes", at=500))
    original = rewrites.RewriteStore._row
    calls = {"n": 0}

    def failing_row(rewrite, now):  # the second insert of the transaction fails
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return original(rewrite, now)

    monkeypatch.setattr(rewrites.RewriteStore, "_row", staticmethod(failing_row))
    with pytest.raises(MiningError, match="unchanged"):
        _mine(log, store)
    monkeypatch.setattr(rewrites.RewriteStore, "_row", staticmethod(original))
    assert calls["n"] == 2
    assert [r.to_json() for r in store.all()] == before
    assert len(_mine(log, store).added) == 2


def test_mining_reads_any_source_of_turns(stores) -> None:
    _, store = stores

    class Memory:
        def __init__(self, turns):
            self._turns = turns

        def turns(self):
            return iter(self._turns)

    turns = [t for user in ("alice", "bob", "carol") for t in failed_then_fixed(user, WRONG, RIGHT, at=0)]
    report = _mine(Memory(turns), store, rebuild_index=False)
    assert report.index_rows is None and report.global_pairs == 1


def test_the_real_model_links_an_asr_confusion_to_its_rephrase(stores) -> None:
    log, store = stores
    for user in ("alice", "bob", "carol"):
        _record(log, failed_then_fixed(user, "turn of the kitchen lied", "turn off the kitchen light", at=0))
    report = mine(log, store, MineConfig())
    assert report.embedded_pairs == 3
    assert [(r.source, r.target) for r in store.all()] == [("turn of the kitchen lied", "turn off the kitchen light")]
    assert (report.embedded_texts, report.cached_texts) == (2, 0)
    again = mine(log, store, MineConfig())
    assert (again.embedded_texts, again.cached_texts, again.unchanged) == (2, 2, 1)


def test_the_light_reader_returns_what_mining_needs(stores) -> None:
    from assistant.learning.mining import read_turns

    log, _ = stores
    turns = failed_then_fixed("alice", WRONG, RIGHT, at=0)
    turns[0].actions, turns[0].context = ["action_default_fallback"], {"home": {"big": "x" * 1000}}
    turns[1].text_rewritten, turns[1].barge_in = "play imagine dragons please", True
    _record(log, turns)
    light = list(read_turns(log))
    full = list(log.turns())
    assert [(t.id, t.user_id, t.session_id, t.timestamp, t.text, t.text_rewritten, t.intent, t.confidence,
             t.actions, t.feedback, t.barge_in) for t in light] == [
        (t.id, t.user_id, t.session_id, t.timestamp, t.text, t.text_rewritten, t.intent, t.confidence,
         t.actions, t.feedback, t.barge_in) for t in full]
    assert light[0].context == {} and full[0].context["home"]["big"]
