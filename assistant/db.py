"""Opening a SQL database by URL or SQLite path: the one place the stores share.

SQLite (the embedded default) and PostgreSQL (several servers on one database) are both
supported; what only SQLite has (WAL mode, ``PRAGMA quick_check``) applies to SQLite only.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, Callable, Iterable, Literal, TypeVar

S = TypeVar("S")
BUSY_TIMEOUT_SECONDS = 10
# How long a server database may take to answer a connection before it counts as down.
CONNECT_TIMEOUT_SECONDS = 5
# Any number: the PostgreSQL advisory lock that serializes our schema creation.
_SCHEMA_LOCK_KEY = 7_417_001


class StoreCorruptError(RuntimeError):
    """A database file is damaged or is not a database; the message names the file."""


class StoreUnreachableError(StoreCorruptError):
    """A database server can't be reached (or refuses us); the message names it, password hidden."""


def is_sqlite(url: str | Path) -> bool:
    """Whether a URL (or a plain path) is a SQLite database."""
    text = str(url)
    return "://" not in text or text.startswith("sqlite")


def safe_url(url: str | Path) -> str:
    """The URL as it may be shown: any password is masked."""
    text = str(url)
    if "://" not in text:
        return text
    try:
        import sqlalchemy as sa

        return sa.engine.make_url(text).__repr__()
    except Exception:  # noqa: BLE001 - an unparsable URL is shown without its user part
        scheme, _, rest = text.partition("://")
        return f"{scheme}://{rest.rpartition('@')[2]}"


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

    if not is_sqlite(url):
        # A server database: a dropped connection (the server restarted) is replaced, not
        # handed out; a server that does not answer fails within seconds.
        connect_args = {"connect_timeout": CONNECT_TIMEOUT_SECONDS} if url.startswith("postgres") else {}
        return sa.create_engine(url, future=True, pool_pre_ping=True, connect_args=connect_args)
    path = sqlite_path(url)
    if path is None:   # in memory: one connection, as SQLAlchemy gives it
        return sa.create_engine(url, future=True, connect_args={"timeout": BUSY_TIMEOUT_SECONDS})
    # A file: connections are kept open between uses. SQLAlchemy 1.4 opens and closes one per
    # use (NullPool), and the connect with its pragmas was most of a turn's log write (14-25 ms
    # of it here); in WAL mode an open connection still sees every commit of other processes.
    from sqlalchemy.pool import QueuePool

    engine = sa.create_engine(url, future=True, poolclass=QueuePool, pool_size=2, max_overflow=8,
                              connect_args={"timeout": BUSY_TIMEOUT_SECONDS, "check_same_thread": False})
    sa.event.listen(engine, "connect", _sqlite_pragmas)
    _watch_file(engine, path)
    return engine


def _watch_file(engine: Any, path: Path) -> None:
    """A kept connection holds the file it opened, even after that file was moved or deleted:
    every use first checks the path still names that file, else the connection is dropped
    and a new one opened at the path (which fails if nothing can be opened there), so a
    database that went away is an error, not writes into a file nobody will read."""
    import sqlalchemy as sa

    def opened(_dbapi_connection: Any, record: Any) -> None:
        record.info["file"] = file_identity(path)

    def checkout(_dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if record.info.get("file") != file_identity(path):
            raise sa.exc.DisconnectionError(f"{path} is no longer the file this connection opened")

    sa.event.listen(engine, "connect", opened)
    sa.event.listen(engine, "checkout", checkout)


def file_identity(path: Path) -> tuple[int, int] | None:
    """The file a path names now (device and inode), None when there is none."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_dev, stat.st_ino)


def open_store(target: str | Path, build: Callable[[Any], S], *, error: type[Exception], what: str,
               engine: Callable[[str], Any] = create_engine) -> S:
    """Open a store on ``target`` (a URL or a SQLite path): an engine, then ``build(engine)``
    (the store, its schema created). Any failure is ``error``, "could not open WHAT at URL: ...",
    and the engine is disposed of: one clear error type for the callers of every store."""
    url, made = str(target), None
    try:
        url = database_url(target)
        made = engine(url)
        return build(made)
    except Exception as failure:  # noqa: BLE001 - one clear error type for callers
        if made is not None:
            made.dispose()
        raise error(f"could not open {what} at {url}: {failure}") from failure


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL syncs at checkpoints, not at every commit: a crashed process
        # loses nothing and the file never corrupts; a power cut may lose the last commits.
        # FULL's fsync per commit was 10-20 ms of every turn's log and tracker writes here.
        cursor.execute("PRAGMA synchronous=NORMAL")
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


def check_reachable(url: str) -> None:
    """Raise StoreUnreachableError, naming the server (password hidden), when a server
    database does not answer ``SELECT 1`` within CONNECT_TIMEOUT_SECONDS."""
    import sqlalchemy as sa

    engine = None
    try:
        engine = create_engine(url)
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 - drivers raise many types
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        raise StoreUnreachableError(f"the database {safe_url(url)} can't be reached ({reason}); "
                                    "start it, or fix the URL") from error
    finally:
        if engine is not None:
            engine.dispose()


def check_store(target: str | Path) -> None:
    """`check_sqlite` for a SQLite target, `check_reachable` for a server database."""
    if is_sqlite(target):
        check_sqlite(target)
    else:
        check_reachable(str(target))


def check_all(targets: Iterable[str | Path]) -> None:
    """`check_store` for each target, in order (the first bad one is reported); a server
    shared by several targets is asked once."""
    seen: set[str] = set()
    for target in targets:
        key = str(target)
        if key in seen:
            continue
        seen.add(key)
        check_store(target)


def create_all(metadata: Any, engine: Any) -> None:
    """``metadata.create_all``, safe when several processes open the same database at once:
    on PostgreSQL a transaction-scoped advisory lock serializes them (two concurrent
    ``CREATE TABLE`` of one name would otherwise fail on the catalog's unique index)."""
    import sqlalchemy as sa

    if engine.dialect.name != "postgresql":
        metadata.create_all(engine)
        return
    with engine.begin() as conn:
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK_KEY})
        metadata.create_all(conn)


def schema_lock(conn: Any) -> None:
    """Inside a transaction: hold the schema lock of `create_all` (PostgreSQL; else nothing)."""
    import sqlalchemy as sa

    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK_KEY})


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

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> Literal[False]:
        try:
            self._context.__exit__(exc_type, exc, tb)
        except Exception as failure:  # noqa: BLE001
            raise self._error(f"could not write {self._what}: {failure}") from failure
        if exc is not None and not isinstance(exc, (self._error, ValueError)):
            raise self._error(f"could not write {self._what}: {exc}") from exc
        return False
