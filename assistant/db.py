"""Opening a SQL database by URL or SQLite path: the one place the stores share."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, Iterable

BUSY_TIMEOUT_SECONDS = 10


class StoreCorruptError(RuntimeError):
    """A database file is damaged or is not a database; the message names the file."""


def database_url(target: str | Path) -> str:
    """A SQLAlchemy URL for a URL or a file path (a SQLite file's folder is created)."""
    if isinstance(target, Path) or "://" not in str(target):
        path = Path(target).expanduser().resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    if str(target).startswith("sqlite:///"):
        Path(str(target)[len("sqlite:///"):]).expanduser().parent.mkdir(parents=True, exist_ok=True)
    return str(target)


def create_engine(url: str) -> Any:
    """A 2.0-style engine. SQLite files are put in WAL mode (a reader never blocks a writer)
    and wait up to 10 s for a lock instead of failing at once."""
    import sqlalchemy as sa

    if not url.startswith("sqlite"):
        return sa.create_engine(url, future=True)
    engine = sa.create_engine(url, future=True, connect_args={"timeout": BUSY_TIMEOUT_SECONDS})
    if sqlite_path(url) is not None:
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
    finally:
        cursor.close()


def sqlite_path(url: str | Path) -> Path | None:
    """The file behind a SQLite URL or path; None for another database or an in-memory one."""
    text = str(url)
    if "://" not in text:
        return Path(text).expanduser()
    if not text.startswith("sqlite:///"):
        return None
    rest = text[len("sqlite:///"):].split("?", 1)[0]
    return None if rest in ("", ":memory:") else Path(rest).expanduser()


def check_sqlite(target: str | Path) -> None:
    """Raise StoreCorruptError, naming the file, when a SQLite database is not sound
    (``PRAGMA quick_check``, read-only). A missing file, or a database that is not SQLite,
    passes: there is nothing to check here."""
    path = sqlite_path(target)
    if path is None or not path.exists():
        return
    try:
        with _read_only(path) as conn:
            rows = [str(row[0]) for row in conn.execute("PRAGMA quick_check").fetchall()]
    except sqlite3.Error as error:
        raise StoreCorruptError(f"the database {path} is damaged or is not a database ({error}); "
                                "move it aside or restore it from a copy") from error
    if rows != ["ok"]:
        raise StoreCorruptError(f"the database {path} is damaged ({'; '.join(rows[:3])}); "
                                "move it aside or restore it from a copy")


def check_all(targets: Iterable[str | Path]) -> None:
    """`check_sqlite` for each target, in order (the first damaged one is reported)."""
    for target in targets:
        check_sqlite(target)


class _read_only:
    """A read-only sqlite3 connection that is closed on exit (sqlite3's own `with` only commits)."""

    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True,
                                     timeout=BUSY_TIMEOUT_SECONDS)

    def __enter__(self) -> sqlite3.Connection:
        return self._conn

    def __exit__(self, *exc_info: object) -> None:
        self._conn.close()


class EngineStore:
    """What every store on an engine shares: `close()` and use as a context manager."""

    _engine: Any

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def read(engine: Any, query: Any, error: type[Exception], what: str) -> Any:
    """Run ``query(connection)``; any failure becomes ``error("could not read {what}: ...")``."""
    try:
        with engine.connect() as conn:
            return query(conn)
    except Exception as failure:  # noqa: BLE001 - one clear error type for callers
        raise error(f"could not read {what}: {failure}") from failure


class Transaction:
    """`engine.begin()` that reports failures as ``error("could not write {what}: ...")``, after
    rolling back. ValueError and ``error`` itself pass through unchanged."""

    def __init__(self, engine: Any, error: type[Exception], what: str) -> None:
        self._context = engine.begin()
        self._error, self._what = error, what

    def __enter__(self) -> Any:
        try:
            return self._context.__enter__()
        except Exception as failure:  # noqa: BLE001
            raise self._error(f"could not write {self._what}: {failure}") from failure

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        try:
            self._context.__exit__(exc_type, exc, tb)
        except Exception as failure:  # noqa: BLE001
            raise self._error(f"could not write {self._what}: {failure}") from failure
        if exc is not None and not isinstance(exc, (self._error, ValueError)):
            raise self._error(f"could not write {self._what}: {exc}") from exc
        return False
