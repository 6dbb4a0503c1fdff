"""The shared SQLite setup: WAL mode, busy timeout, and the start-up integrity check."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from assistant.db import StoreCorruptError, check_all, check_sqlite, create_engine, sqlite_path
from assistant.paths import DataDir


def _journal_mode(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return str(conn.execute("PRAGMA journal_mode").fetchone()[0])


@pytest.mark.parametrize("store", ["prefs", "learning", "rewrites", "habits"])
def test_our_stores_are_in_wal_mode(tmp_path: Path, store: str) -> None:
    from assistant.habits.store import HabitStore
    from assistant.learning.log import InteractionLog
    from assistant.learning.rewrites import RewriteStore
    from assistant.prefs.store import PreferenceStore

    opener = {"prefs": PreferenceStore, "learning": InteractionLog, "rewrites": RewriteStore,
              "habits": HabitStore}[store]
    path = tmp_path / f"{store}.db"
    opened = opener.open(f"sqlite:///{path}")
    try:
        assert _journal_mode(path) == "wal"
    finally:
        opened.close()


def test_busy_timeout_is_kept(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as conn:
        assert conn.execute(sa.text("PRAGMA busy_timeout")).scalar() == 10_000
    engine.dispose()


def test_a_reader_does_not_block_a_writer(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE t (v INTEGER)"))
        conn.execute(sa.text("INSERT INTO t VALUES (1)"))
    reader = engine.connect()
    reader.execute(sa.text("BEGIN"))
    assert reader.execute(sa.text("SELECT count(*) FROM t")).scalar() == 1   # holds a read snapshot
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO t VALUES (2)"))
    assert time.perf_counter() - started < 1.0
    reader.close()
    engine.dispose()


def test_in_memory_and_server_urls_are_not_files() -> None:
    assert sqlite_path("sqlite:///:memory:") is None
    assert sqlite_path("postgresql://u@h/db") is None
    assert sqlite_path("sqlite:////tmp/a.db") == Path("/tmp/a.db")


def test_a_sound_and_a_missing_database_pass(tmp_path: Path) -> None:
    path = tmp_path / "ok.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (v)")
    conn.close()
    check_all([f"sqlite:///{path}", tmp_path / "missing.db", "sqlite:///:memory:"])


def test_garbage_is_reported_with_its_file(tmp_path: Path) -> None:
    path = tmp_path / "prefs.db"
    path.write_bytes(b"this is not a database" * 500)
    with pytest.raises(StoreCorruptError, match=str(path)):
        check_sqlite(f"sqlite:///{path}")


def test_a_damaged_page_is_reported_with_its_file(tmp_path: Path) -> None:
    path = tmp_path / "learning.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (v TEXT)")
        conn.execute("CREATE INDEX i ON t (v)")
        conn.executemany("INSERT INTO t VALUES (?)", [(f"row {i}" * 20,) for i in range(2000)])
    conn.close()
    data = bytearray(path.read_bytes())
    page = 4096
    data[3 * page:6 * page] = b"\xa5" * (3 * page)   # scribble over pages of the table and index
    path.write_bytes(bytes(data))
    with pytest.raises(StoreCorruptError, match="learning.db"):
        check_sqlite(path)


def test_the_runtime_names_a_corrupt_store_before_loading_the_model(tmp_path: Path) -> None:
    from assistant.runtime import Runtime, RuntimeStartError

    data = DataDir(tmp_path).ensure()
    data.model_file.write_bytes(b"not a model either")   # loading it would be the next step
    data.prefs_db.write_bytes(b"garbage" * 1000)
    started = time.perf_counter()
    with pytest.raises(RuntimeStartError, match="prefs.db"):
        Runtime.start(tmp_path)
    assert time.perf_counter() - started < 5.0


def test_concurrent_writers_do_not_fail(tmp_path: Path) -> None:
    from assistant.prefs.keys import PrefKey
    from assistant.prefs.store import PreferenceStore

    url = f"sqlite:///{tmp_path / 'prefs.db'}"
    errors: list[BaseException] = []
    PreferenceStore.open(url).close()   # the schema exists before the writers start

    def write(user: str) -> None:
        try:
            store = PreferenceStore.open(url)
        except Exception as error:  # noqa: BLE001
            errors.append(error)
            return
        try:
            for i in range(20):
                store.set(user, PrefKey.MUSIC_GENRE, f"genre{i}")
        except Exception as error:  # noqa: BLE001 - collected for the assertion
            errors.append(error)
        finally:
            store.close()

    threads = [threading.Thread(target=write, args=(f"user{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_a_kept_connection_is_reused_and_follows_the_file_not_the_old_one(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.execute(sa.text("create table t (x integer)"))
        conn.execute(sa.text("insert into t values (1)"))
    with engine.connect() as conn:
        first = conn.connection.dbapi_connection
    with engine.connect() as conn:
        assert conn.connection.dbapi_connection is first   # kept open between uses
    away = tmp_path / "a.db.away"
    db.rename(away)
    db.mkdir()   # nothing can be opened at the path now
    with pytest.raises(sa.exc.OperationalError):
        with engine.connect() as conn:
            conn.execute(sa.text("select x from t"))
    db.rmdir()
    away.rename(db)
    with engine.connect() as conn:
        assert conn.execute(sa.text("select x from t")).scalar() == 1
    engine.dispose()
