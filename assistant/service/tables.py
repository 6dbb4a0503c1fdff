"""The service database: homes and their state, tokens, idempotency keys, home events.

Any SQLAlchemy URL works (SQLite in the data folder by default, PostgreSQL for several
servers); `ServiceDB.open` creates what is missing.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from assistant.db import create_all, open_store

MAX_HOME = 24
MAX_KEY = 100


class ServiceStoreError(RuntimeError):
    """The service database could not be opened, read or written (the HTTP answer is 503)."""


class Conflict(RuntimeError):
    """A write lost a race (a version or a claim changed); the transaction was rolled back.
    Raised through `ServiceDB.begin` unchanged, so callers can retry."""


def utc_now() -> dt.datetime:
    """Now, as a naive UTC time (what the tables store)."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def _tables(metadata: Any) -> dict[str, Any]:
    import sqlalchemy as sa

    homes = sa.Table(
        "service_homes", metadata,
        sa.Column("name", sa.String(MAX_HOME), primary_key=True),
        sa.Column("snapshot", sa.Text, nullable=False),          # Home.snapshot() as JSON
        sa.Column("version", sa.Integer, nullable=False),        # compare-and-set on write
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    tokens = sa.Table(
        "service_tokens", metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("home", sa.String(MAX_HOME), nullable=False, index=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("last_used_at", sa.DateTime),
        sa.Column("revoked_at", sa.DateTime),
    )
    keys = sa.Table(
        "service_idempotency", metadata,
        sa.Column("home", sa.String(MAX_HOME), primary_key=True),
        sa.Column("key", sa.String(MAX_KEY), primary_key=True),
        sa.Column("owner", sa.String(40), nullable=False),       # who holds the claim
        sa.Column("claimed_at", sa.DateTime, nullable=False),
        sa.Column("answer", sa.Text),                            # JSON; NULL while pending
        sa.Column("status", sa.Integer, nullable=False, default=200),
    )
    events = sa.Table(
        "service_events", metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("home", sa.String(MAX_HOME), nullable=False, index=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("body", sa.Text, nullable=False),              # the event as JSON
    )
    return {"homes": homes, "tokens": tokens, "keys": keys, "events": events}


class ServiceDB:
    """One engine and the tables on it. Open with `ServiceDB.open(url_or_path)`."""

    def __init__(self, engine: Any) -> None:
        import sqlalchemy as sa

        self.engine = engine
        self.metadata = sa.MetaData()
        t = _tables(self.metadata)
        self.homes, self.tokens, self.keys, self.events = t["homes"], t["tokens"], t["keys"], t["events"]

    @classmethod
    def open(cls, target: str | Path) -> "ServiceDB":
        def build(engine: Any) -> "ServiceDB":
            db = cls(engine)
            # Several servers may open a fresh database at once: the schema lock serializes it.
            create_all(db.metadata, engine)
            return db

        return open_store(target, build, error=ServiceStoreError, what="the service database")

    @contextmanager
    def begin(self) -> Iterator[Any]:
        """A transaction (``with db.begin() as conn``): rolled back on any error; a Conflict or
        ValueError passes through, anything else becomes ServiceStoreError."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except (Conflict, ValueError, ServiceStoreError):
            raise
        except Exception as error:  # noqa: BLE001 - one clear error type for callers
            raise ServiceStoreError(f"could not write the service database: {error}") from error

    def read(self, query: Any) -> Any:
        """Run ``query(connection)``; failures become ServiceStoreError."""
        from assistant.db import read

        return read(self.engine, query, ServiceStoreError, "the service database")

    def close(self) -> None:
        self.engine.dispose()
