"""Opening a SQL database by URL or SQLite path: the one place the stores share."""

from __future__ import annotations

from pathlib import Path
from typing import Any


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
    """A 2.0-style engine; SQLite waits up to 10 s for a lock instead of failing at once."""
    import sqlalchemy as sa

    args = {"connect_args": {"timeout": 10}} if url.startswith("sqlite") else {}
    return sa.create_engine(url, future=True, **args)


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
