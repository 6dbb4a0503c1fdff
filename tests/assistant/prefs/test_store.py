"""The preference store on real SQLite files: round trips, per-user isolation, forgetting,
persistence, hostile values, schema versions and all-or-nothing writes."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from assistant.prefs.keys import Polarity, PrefKey, Source
from assistant.prefs.store import SCHEMA_VERSION, PreferenceStore, PreferenceStoreError


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "sub" / "prefs.db"


@pytest.fixture
def store(path: Path):
    with PreferenceStore.open(path) as opened:
        yield opened


def raw_rows(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return sorted(conn.execute("SELECT user_id, key, value, polarity FROM preferences").fetchall())


def test_round_trip(store: PreferenceStore) -> None:
    saved = store.set("alice", PrefKey.MUSIC_GENRE, "jazz", source=Source.QA, confidence=0.8)
    [got] = store.get("alice")
    assert got == saved
    assert (got.key, got.value, got.polarity, got.source, got.confidence) == (
        PrefKey.MUSIC_GENRE, "jazz", Polarity.LIKE, Source.QA, 0.8)


def test_single_valued_key_replaces_multi_valued_key_adds(store: PreferenceStore, path: Path) -> None:
    store.set("alice", PrefKey.HOME_CITY, "Seattle, Washington")
    store.set("alice", PrefKey.HOME_CITY, "Boston, Massachusetts")
    store.set("alice", PrefKey.MUSIC_GENRE, "jazz")
    store.set("alice", PrefKey.MUSIC_GENRE, "rock")
    assert store.liked("alice", PrefKey.HOME_CITY) == ["Boston, Massachusetts"]
    assert sorted(store.liked("alice", PrefKey.MUSIC_GENRE)) == ["jazz", "rock"]
    assert len(raw_rows(path)) == 3


def test_polarity_flips_in_place(store: PreferenceStore) -> None:
    first = store.set("alice", PrefKey.MUSIC_GENRE, "jazz")
    later = store.set("alice", PrefKey.MUSIC_GENRE, "jazz", Polarity.DISLIKE)
    assert store.liked("alice", PrefKey.MUSIC_GENRE) == []
    assert store.disliked("alice", PrefKey.MUSIC_GENRE) == ["jazz"]
    assert later.created_at == first.created_at


def test_liking_a_single_valued_key_keeps_its_dislikes(store: PreferenceStore) -> None:
    store.set("alice", PrefKey.NEWS_SOURCE, "CNN", Polarity.DISLIKE)
    store.set("alice", PrefKey.NEWS_SOURCE, "NPR")
    store.set("alice", PrefKey.NEWS_SOURCE, "BBC News")
    assert store.liked("alice", PrefKey.NEWS_SOURCE) == ["BBC News"]
    assert store.disliked("alice", PrefKey.NEWS_SOURCE) == ["CNN"]


def test_datetimes_are_stored_as_naive_utc() -> None:
    aware = dt.datetime(2026, 1, 1, 14, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    with PreferenceStore.open("sqlite://", now=lambda: aware) as store:
        saved = store.set("alice", PrefKey.CUISINE, "thai")
        [got] = store.get("alice")
    assert saved.updated_at == got.updated_at == got.created_at == dt.datetime(2026, 1, 1, 12, 0)


def test_most_recent_like_comes_first() -> None:
    clock = iter(dt.datetime(2026, 1, 1, 12, m) for m in range(10))
    with PreferenceStore.open("sqlite://", now=lambda: next(clock)) as store:
        store.set("alice", PrefKey.MUSIC_GENRE, "jazz")
        store.set("alice", PrefKey.MUSIC_GENRE, "rock")
        assert store.first_liked("alice", PrefKey.MUSIC_GENRE) == "rock"
        store.set("alice", PrefKey.MUSIC_GENRE, "jazz")
        assert store.first_liked("alice", PrefKey.MUSIC_GENRE) == "jazz"


def test_users_are_isolated(store: PreferenceStore) -> None:
    store.set("alice", PrefKey.MUSIC_GENRE, "jazz")
    store.set("bob", PrefKey.MUSIC_GENRE, "rock")
    assert [p.value for p in store.get("alice")] == ["jazz"]
    assert [p.value for p in store.get("bob")] == ["rock"]
    assert store.get("carol") == []
    assert store.users() == ["alice", "bob"]


def test_forget_one_key_then_everything_is_gone_from_the_file(store: PreferenceStore, path: Path) -> None:
    store.set("alice", PrefKey.MUSIC_GENRE, "jazz")
    store.set("alice", PrefKey.CUISINE, "thai")
    store.set("bob", PrefKey.MUSIC_GENRE, "rock")
    assert store.forget("alice", PrefKey.MUSIC_GENRE) == 1
    assert raw_rows(path) == [("alice", "cuisine", "thai", "like"), ("bob", "music_genre", "rock", "like")]
    assert store.forget("alice") == 1
    assert raw_rows(path) == [("bob", "music_genre", "rock", "like")]
    assert store.forget("alice") == 0


def test_preferences_survive_closing_and_reopening(path: Path) -> None:
    with PreferenceStore.open(path) as store:
        store.set("alice", PrefKey.SPORTS_TEAM, "Golden State Warriors")
    with PreferenceStore.open(f"sqlite:///{path}") as store:
        assert store.first_liked("alice", PrefKey.SPORTS_TEAM) == "Golden State Warriors"


@pytest.mark.parametrize("value", ["'; DROP TABLE preferences; --", "🦄 jazz 🎷", 'Robert"); DELETE FROM x;--'])
def test_hostile_values_are_stored_literally(store: PreferenceStore, path: Path, value: str) -> None:
    store.set("alice", PrefKey.MUSIC_GENRE, "jazz")
    store.set("alice", PrefKey.MUSIC_ARTIST, value)
    assert value in store.liked("alice", PrefKey.MUSIC_ARTIST)
    assert len(raw_rows(path)) == 2


@pytest.mark.parametrize(("user", "value"), [("", "jazz"), (" ", "jazz"), ("u" * 101, "jazz"),
                                             ("alice", ""), ("alice", "x" * 201)])
def test_bad_user_or_value_is_refused_and_nothing_changes(store: PreferenceStore, path: Path,
                                                          user: str, value: str) -> None:
    store.set("alice", PrefKey.MUSIC_GENRE, "rock")
    with pytest.raises(ValueError):
        store.set(user, PrefKey.MUSIC_GENRE, value)
    assert raw_rows(path) == [("alice", "music_genre", "rock", "like")]


def test_schema_version_is_written(store: PreferenceStore, path: Path) -> None:
    assert store.schema_version == SCHEMA_VERSION
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version FROM schema_info").fetchall() == [(SCHEMA_VERSION,)]


def test_an_older_file_is_migrated_without_losing_rows(path: Path) -> None:
    path.parent.mkdir(parents=True)
    with sqlite3.connect(path) as conn:  # version 0: no schema_info, no polarity/source/confidence
        conn.execute("CREATE TABLE preferences (id INTEGER PRIMARY KEY, user_id VARCHAR(100) NOT NULL, "
                     "key VARCHAR(40) NOT NULL, value VARCHAR(200) NOT NULL, created_at DATETIME NOT NULL, "
                     "updated_at DATETIME NOT NULL)")
        conn.execute("INSERT INTO preferences (user_id, key, value, created_at, updated_at) VALUES "
                     "('alice', 'music_genre', 'jazz', '2025-01-01 10:00:00', '2025-01-01 10:00:00')")
    with PreferenceStore.open(path) as store:
        [pref] = store.get("alice")
        assert (pref.value, pref.polarity, pref.source, pref.confidence) == ("jazz", Polarity.LIKE,
                                                                           Source.STATEMENT, 1.0)
        assert store.schema_version == SCHEMA_VERSION
        store.set("alice", PrefKey.MUSIC_GENRE, "rock")
    assert raw_rows(path) == [("alice", "music_genre", "jazz", "like"), ("alice", "music_genre", "rock", "like")]


def test_a_version_1_file_gains_evidence_and_keeps_its_rows(path: Path) -> None:
    path.parent.mkdir(parents=True)
    with sqlite3.connect(path) as conn:  # version 1: polarity, source and confidence, no evidence
        conn.execute("CREATE TABLE preferences (id INTEGER PRIMARY KEY, user_id VARCHAR(100) NOT NULL, "
                     "key VARCHAR(40) NOT NULL, value VARCHAR(200) NOT NULL, polarity VARCHAR(10) NOT NULL, "
                     "source VARCHAR(20) NOT NULL, confidence FLOAT NOT NULL, created_at DATETIME NOT NULL, "
                     "updated_at DATETIME NOT NULL)")
        conn.execute("CREATE TABLE schema_info (version INTEGER NOT NULL)")
        conn.execute("INSERT INTO schema_info VALUES (1)")
        conn.execute("INSERT INTO preferences (user_id, key, value, polarity, source, confidence, created_at, "
                     "updated_at) VALUES ('alice', 'sports_team', 'Golden State Warriors', 'like', 'qa', 1.0, "
                     "'2025-01-01 10:00:00', '2025-01-01 10:00:00')")
    with PreferenceStore.open(path) as store:
        [pref] = store.get("alice")
        assert (pref.value, pref.source, pref.evidence, pref.evidence_turn) == (
            "Golden State Warriors", Source.QA, "", "")
        assert store.schema_version == SCHEMA_VERSION == 2


def test_a_preference_keeps_the_words_and_the_turn_it_was_learnt_from(store: PreferenceStore) -> None:
    from assistant.prefs.store import MAX_EVIDENCE, Evidence

    saved = store.set("alice", PrefKey.SPORTS_TEAM, "Golden State Warriors",
                      evidence=Evidence("I'm a  Warriors fan", "alice:m1"))
    assert (saved.evidence, saved.evidence_turn) == ("I'm a Warriors fan", "alice:m1")
    [pref] = store.get("alice")
    assert (pref.evidence, pref.evidence_turn) == ("I'm a Warriors fan", "alice:m1")
    store.set("alice", PrefKey.MUSIC_GENRE, "jazz", evidence=Evidence("jazz " * 100, "alice:m2"))
    assert len(store.get("alice", PrefKey.MUSIC_GENRE)[0].evidence) == MAX_EVIDENCE


def test_a_newer_file_is_refused_not_misread(path: Path) -> None:
    with PreferenceStore.open(path) as store:
        store.set("alice", PrefKey.MUSIC_GENRE, "jazz")
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE schema_info SET version = ?", (SCHEMA_VERSION + 1,))
    with pytest.raises(PreferenceStoreError, match="newer"):
        PreferenceStore.open(path)
    assert raw_rows(path) == [("alice", "music_genre", "jazz", "like")]


def test_a_failure_mid_write_loses_nothing(store: PreferenceStore, path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    store.set("alice", PrefKey.HOME_CITY, "Seattle, Washington")
    import sqlalchemy as sa

    real_insert = sa.insert

    def failing_insert(*args, **kwargs):  # the replaced city is already deleted in this transaction
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(sa, "insert", failing_insert)
    with pytest.raises(PreferenceStoreError, match="disk on fire"):
        store.set("alice", PrefKey.HOME_CITY, "Boston, Massachusetts")
    monkeypatch.setattr(sa, "insert", real_insert)
    assert raw_rows(path) == [("alice", "home_city", "Seattle, Washington", "like")]


def test_a_path_that_is_not_a_database_gives_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "prefs.db"
    bad.write_text("this is not sqlite")
    with pytest.raises(PreferenceStoreError, match="could not open the preference store"):
        PreferenceStore.open(bad)
    assert bad.read_text() == "this is not sqlite"


def test_corrections_are_per_user_replace_older_ones_and_go_with_everything(store: PreferenceStore,
                                                                              path: Path) -> None:
    store.add_correction("alice", "The Big Light", "the living room light")
    store.add_correction("alice", "the big light", "the kitchen light")
    store.add_correction("bob", "tunes", "music")
    assert [(c.said, c.meant) for c in store.corrections("alice")] == [("the big light", "the kitchen light")]
    store.set("alice", PrefKey.MUSIC_GENRE, "jazz")
    assert store.forget("alice", PrefKey.MUSIC_GENRE) == 1
    assert len(store.corrections("alice")) == 1  # forgetting one key keeps corrections
    assert store.forget("alice") == 1
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT user_id, said FROM corrections").fetchall() == [("bob", "tunes")]
    with pytest.raises(ValueError):
        store.add_correction("alice", "", "x")


def test_forget_several_keys_at_once(store: PreferenceStore, path: Path) -> None:
    store.set("alice", PrefKey.MUSIC_GENRE, "jazz")
    store.set("alice", PrefKey.MUSIC_ARTIST, "Adele")
    store.set("alice", PrefKey.CUISINE, "thai")
    assert store.forget("alice", (PrefKey.MUSIC_GENRE, PrefKey.MUSIC_ARTIST)) == 2
    assert raw_rows(path) == [("alice", "cuisine", "thai", "like")]
