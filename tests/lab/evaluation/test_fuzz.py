"""A seeded fuzz suite (issue 18): arbitrary unicode (lone surrogates included), huge strings
and hostile ids through text cleaning, the statement parser, the rewriter and the stores, and
a short seeded run through the real stack. Hypothesis runs derandomized: the same examples
every run, no example database written."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.context import MAX_TEXT_CHARS, clean_text
from lab.evaluation import fuzz

# Any code point, lone surrogates included (plain st.characters() never draws those).
ANY_CHAR = st.one_of(st.characters(), st.integers(0xD800, 0xDFFF).map(chr), st.integers(0, 0x10FFFF).map(chr))
PIECES = st.lists(st.one_of(ANY_CHAR, st.sampled_from(fuzz.NASTY), st.sampled_from(fuzz.REQUESTS)), max_size=12)
HOSTILE_TEXT = st.one_of(st.text(ANY_CHAR, max_size=60), PIECES.map(" ".join), PIECES.map("".join),
                         st.builds(fuzz.random_text, st.randoms(use_true_random=False)),
                         st.text(ANY_CHAR, min_size=1, max_size=3).map(lambda s: s * 3000))
HOSTILE_ID = st.one_of(st.sampled_from(fuzz.HOSTILE_IDS), st.text(ANY_CHAR, max_size=80))
FAST = settings(derandomize=True, database=None, deadline=None, max_examples=100,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def _intact(path: Path) -> bool:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        conn.close()


@FAST
@given(HOSTILE_TEXT)
def test_cleaned_text_is_always_safe(raw: str) -> None:
    cleaned = clean_text(raw)
    cleaned.text.encode("utf-8")
    assert len(cleaned.text) <= MAX_TEXT_CHARS
    assert not cleaned.text.startswith("/")
    assert all(ch >= " " for ch in cleaned.text)
    assert clean_text(cleaned.text).text == cleaned.text   # idempotent


@FAST
@given(HOSTILE_TEXT)
def test_the_statement_parser_answers_anything(raw: str) -> None:
    from assistant.prefs.statements import parse_statements

    found = parse_statements(clean_text(raw).text)
    assert isinstance(found, list)


@FAST
@given(HOSTILE_TEXT, st.lists(st.tuples(st.text(ANY_CHAR, min_size=1, max_size=10),
                                        st.text(ANY_CHAR, max_size=10)), max_size=3))
def test_corrections_apply_to_anything(raw: str, corrections: list[tuple[str, str]]) -> None:
    from assistant.learning.online import apply_corrections

    text = clean_text(raw).text
    safe = [(clean_text(a).text, clean_text(b).text) for a, b in corrections]
    rewritten, applied = apply_corrections(text, [(a, b) for a, b in safe if a])
    assert isinstance(rewritten, str) and isinstance(applied, list)


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory):
    from assistant.learning.log import InteractionLog
    from assistant.learning.rewrites import RewriteStore
    from assistant.prefs.store import PreferenceStore

    root = tmp_path_factory.mktemp("fuzz-stores")
    learning, prefs = root / "learning.db", root / "prefs.db"
    with InteractionLog.open(f"sqlite:///{learning}") as log, RewriteStore.open(f"sqlite:///{learning}") as rw, \
            PreferenceStore.open(f"sqlite:///{prefs}") as pf:
        yield log, rw, pf, learning, prefs


@FAST
@given(HOSTILE_TEXT, HOSTILE_TEXT, HOSTILE_ID)
def test_the_rewrite_table_holds_anything(stores, source: str, target: str, user: str) -> None:
    from assistant.learning.rewrites import Rewrite, RewriteStoreError

    _, rewrites, _, learning, _ = stores
    src, dst = clean_text(source).text, clean_text(target).text
    try:
        stored = rewrites.add(Rewrite(source=src, target=dst, user_id=clean_text(user).text or "*"))
    except (ValueError, RewriteStoreError):
        return
    assert rewrites.find(stored.source, stored.target, stored.user_id) is not None
    rewrites.lookup(src, clean_text(user).text or None)


@FAST
@given(HOSTILE_TEXT, HOSTILE_ID)
def test_the_log_keeps_any_cleaned_text(stores, raw: str, user: str) -> None:
    import datetime as dt

    from assistant.learning.log import InteractionLogError, TurnRecord

    log = stores[0]
    text = clean_text(raw).text
    record = TurnRecord(user_id=clean_text(user).text or "u", device_id="kitchen_speaker", session_id="s",
                        timestamp=dt.datetime(2026, 1, 1), text=text)
    try:
        turn_id = log.record(record)
    except (ValueError, InteractionLogError):
        return
    assert turn_id > 0


@FAST
@given(HOSTILE_ID, HOSTILE_TEXT)
def test_preferences_refuse_hostile_ids_cleanly_and_never_leak(stores, user: str, value: str) -> None:
    from assistant.prefs.keys import PrefKey
    from assistant.prefs.store import PreferenceStoreError

    prefs = stores[2]
    prefs.set("fuzz_owner", PrefKey.MUSIC_GENRE, "jazz")
    try:
        prefs.set(user, PrefKey.MUSIC_GENRE, clean_text(value).text)
    except (ValueError, PreferenceStoreError):
        pass
    if user != "fuzz_owner":
        assert prefs.first_liked("fuzz_owner", PrefKey.MUSIC_GENRE) == "jazz"


def test_the_stores_are_intact_after_the_fuzzing(stores) -> None:
    _, _, _, learning, prefs = stores
    assert _intact(learning) and _intact(prefs)


# -- the benchmark's parts -------------------------------------------------------------------


def test_the_generator_is_seeded_and_hostile() -> None:
    first = list(fuzz.generate(300, seed=4))
    assert first == list(fuzz.generate(300, seed=4)) != list(fuzz.generate(300, seed=5))
    assert any(any(0xD800 <= ord(c) <= 0xDFFF for c in i.text) for i in first)
    assert any(len(i.text) > 5000 for i in first)
    assert any(i.user_id in fuzz.HOSTILE_IDS for i in first)


def test_play_counts_replies_refusals_and_escapes() -> None:
    from assistant.context import BadUserIdError
    from assistant.turn import TurnResult

    def handle(text: str, *, user_id: str, device_id: str, barge_in: bool) -> TurnResult:
        if user_id == "bad":
            raise BadUserIdError("no")
        if "boom" in text:
            raise TypeError("TextEncodeInput must be Union[...]")
        return TurnResult(text, replies=["ok"])

    inputs = [fuzz.FuzzInput("hi", "u", "d"), fuzz.FuzzInput("hi", "bad", "d"), fuzz.FuzzInput("boom", "u", "d")]
    report = fuzz.play(handle, iter(inputs), fuzz.FuzzReport())
    assert (report.inputs, report.replies, dict(report.refused)) == (3, 1, {"BadUserIdError": 1})
    assert [e["error"] for e in report.escapes] == ["TypeError"]


def test_database_check_names_a_damaged_file(tmp_path: Path) -> None:
    good = tmp_path / "good.db"
    sqlite3.connect(good).execute("CREATE TABLE t (v)").connection.close()
    (tmp_path / "bad.db").write_bytes(b"garbage" * 999)
    found = fuzz.check_databases(tmp_path)
    assert found["good.db"] == "ok" and found["bad.db"] != "ok"


# -- the real stack ------------------------------------------------------------------------------


def test_seeded_hostile_turns_through_the_stack_all_get_replies(fresh) -> None:
    report = fuzz.play(fresh.handle, fuzz.generate(60, seed=18), fuzz.FuzzReport())
    assert report.escapes == []
    assert report.replies + sum(report.refused.values()) == report.inputs
    assert report.slow_turns == 0


@settings(derandomize=True, database=None, deadline=None, max_examples=25,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(text=HOSTILE_TEXT)
def test_any_text_through_the_stack_gets_a_reply(fresh, text: str) -> None:
    result = fresh.handle(text, user_id="fuzz_stack", device_id="kitchen_speaker")
    assert result.replies
    result.text.encode("utf-8")
