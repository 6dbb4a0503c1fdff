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
