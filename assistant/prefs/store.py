"""The preference store: one row per (user, key, value) in SQLite (or any SQLAlchemy URL).

Every write is one transaction, so a failure leaves what was stored before untouched. The
file carries a schema version; an older file is migrated in place on open, a newer one is
refused rather than misread.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from assistant.db import EngineStore, Transaction, create_engine, database_url, read, schema_lock
from assistant.prefs.keys import Polarity, PrefKey, Source

SCHEMA_VERSION = 2
MAX_EVIDENCE = 200
MAX_USER_ID = 100
MAX_VALUE = 200


class PreferenceStoreError(RuntimeError):
    """The store could not be opened, read or written."""


@dataclass(frozen=True)
class Preference:
    """One stored preference of one user; datetimes are naive UTC."""

    user_id: str
    key: PrefKey
    value: str
    polarity: Polarity
    source: Source
    confidence: float
    created_at: dt.datetime
    updated_at: dt.datetime
    evidence: str = ""        # the words the user said it with ("" when nobody said it)
    evidence_turn: str = ""   # the turn they said it in (conversation and message id, or time)


@dataclass(frozen=True)
class Evidence:
    """What a preference was learnt from: the user's words and the turn that carried them."""

    words: str
    turn: str = ""

    def clipped(self) -> tuple[str, str]:
        words = " ".join(str(self.words).split())
        return words[:MAX_EVIDENCE], str(self.turn)[:100]


@dataclass(frozen=True)
class Correction:
    """ "When I say 'the big light' I mean the living room light", for one user."""

    user_id: str
    said: str
    meant: str
    created_at: dt.datetime


def values_of(prefs: Iterable[Preference], key: PrefKey, polarity: Polarity) -> list[str]:
    """Values of one key and polarity, most recently updated first (``prefs`` in the order
    `PreferenceStore.get` returns them: oldest update first)."""
    return [p.value for p in reversed([p for p in prefs if p.key is key and p.polarity is polarity])]


def utc_now() -> dt.datetime:
    """Now in UTC, naive: the store keeps every datetime as naive UTC (SQLite has no zones)."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def _naive_utc(moment: dt.datetime) -> dt.datetime:
    """An injected clock may give aware datetimes; store them as naive UTC all the same."""
    return moment if moment.tzinfo is None else moment.astimezone(dt.timezone.utc).replace(tzinfo=None)


def _tables() -> tuple[Any, Any, Any]:
    """(metadata, preferences table, schema_info table), built on first use."""
    import sqlalchemy as sa

    metadata = sa.MetaData()
    prefs = sa.Table(
        "preferences", metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.String(MAX_USER_ID), nullable=False, index=True),
        sa.Column("key", sa.String(40), nullable=False),
        sa.Column("value", sa.String(MAX_VALUE), nullable=False),
        sa.Column("polarity", sa.String(10), nullable=False, default=Polarity.LIKE.value),
        sa.Column("source", sa.String(20), nullable=False, default=Source.STATEMENT.value),
        sa.Column("confidence", sa.Float, nullable=False, default=1.0),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("evidence", sa.String(MAX_EVIDENCE), nullable=False, default=""),
        sa.Column("evidence_turn", sa.String(100), nullable=False, default=""),
        sa.UniqueConstraint("user_id", "key", "value", name="uq_user_key_value"),
    )
    info = sa.Table("schema_info", metadata, sa.Column("version", sa.Integer, nullable=False))
    sa.Table(
        "corrections", metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.String(MAX_USER_ID), nullable=False, index=True),
        sa.Column("said", sa.String(MAX_VALUE), nullable=False),
        sa.Column("meant", sa.String(MAX_VALUE), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("user_id", "said", name="uq_user_said"),
    )
    return metadata, prefs, info


def _migrate_0_to_1(conn: Any) -> None:
    """Version 0 (before schema_info): no polarity, source or confidence columns."""
    import sqlalchemy as sa

    columns = {c["name"] for c in sa.inspect(conn).get_columns("preferences")}
    for name, ddl in (("polarity", "VARCHAR(10) NOT NULL DEFAULT 'like'"),
                      ("source", "VARCHAR(20) NOT NULL DEFAULT 'statement'"),
                      ("confidence", "FLOAT NOT NULL DEFAULT 1.0")):
        if name not in columns:
            conn.execute(sa.text(f"ALTER TABLE preferences ADD COLUMN {name} {ddl}"))


def _migrate_1_to_2(conn: Any) -> None:
    """Version 1: no evidence (the words and the turn a preference was learnt from)."""
    import sqlalchemy as sa

    columns = {c["name"] for c in sa.inspect(conn).get_columns("preferences")}
    for name, ddl in (("evidence", f"VARCHAR({MAX_EVIDENCE}) NOT NULL DEFAULT ''"),
                      ("evidence_turn", "VARCHAR(100) NOT NULL DEFAULT ''")):
        if name not in columns:
            conn.execute(sa.text(f"ALTER TABLE preferences ADD COLUMN {name} {ddl}"))


# version -> the step that brings a file of that version to the next one
MIGRATIONS: dict[int, Callable[[Any], None]] = {0: _migrate_0_to_1, 1: _migrate_1_to_2}


class PreferenceStore(EngineStore):
    """Users' preferences. Open with `PreferenceStore.open(url_or_path)`."""

    def __init__(self, engine: Any, now: Callable[[], dt.datetime] = utc_now) -> None:
        self._engine = engine
        self._now = now
        self._metadata, self._prefs, self._info = _tables()
        self._corrections = self._metadata.tables["corrections"]

    @classmethod
    def open(cls, target: str | Path, *, now: Callable[[], dt.datetime] = utc_now) -> "PreferenceStore":
        """Open (creating or migrating) the store at a SQLAlchemy URL or a SQLite file path."""
        url = database_url(target)
        engine = None
        try:
            engine = create_engine(url)
            store = cls(engine, now)
            store._prepare()
        except Exception as error:  # noqa: BLE001 - one clear error type for callers
            if engine is not None:
                engine.dispose()
            if isinstance(error, PreferenceStoreError):
                raise
            raise PreferenceStoreError(f"could not open the preference store at {url}: {error}") from error
        return store

    def _prepare(self) -> None:
        import sqlalchemy as sa

        with self._engine.begin() as conn:
            schema_lock(conn)   # several servers may open one PostgreSQL database at once
            tables = set(sa.inspect(conn).get_table_names())
            if "schema_info" in tables:
                version = conn.execute(sa.select(self._info.c.version)).scalar()
                version = 0 if version is None else int(version)
            else:
                version = 0 if "preferences" in tables else SCHEMA_VERSION
            if version > SCHEMA_VERSION:
                raise PreferenceStoreError(
                    f"the preference store has schema version {version}, newer than this release "
                    f"understands ({SCHEMA_VERSION}); upgrade the assistant to open it")
            if "preferences" in tables:
                while version < SCHEMA_VERSION:
                    MIGRATIONS[version](conn)
                    version += 1
            self._metadata.create_all(conn)
            conn.execute(sa.delete(self._info))
            conn.execute(sa.insert(self._info).values(version=SCHEMA_VERSION))

    # -- writes --------------------------------------------------------------------

    def set(
        self,
        user_id: str,
        key: PrefKey,
        value: str,
        polarity: Polarity = Polarity.LIKE,
        source: Source = Source.STATEMENT,
        confidence: float = 1.0,
        evidence: Evidence | None = None,
    ) -> Preference:
        """Store (or update) one preference, with the words and turn it was learnt from. A liked
        value of a single-valued key replaces the user's other liked values of that key, in the
        same transaction."""
        import sqlalchemy as sa

        user_id = _check_user(user_id)
        key, polarity, source = PrefKey(key), Polarity(polarity), Source(source)
        value = str(value).strip()
        if not value or len(value) > MAX_VALUE:
            raise ValueError(f"a preference value must have 1 to {MAX_VALUE} characters")
        if not 0.0 <= float(confidence) <= 1.0:
            raise ValueError("confidence must be between 0 and 1")
        t = self._prefs
        now = _naive_utc(self._now())
        mine = sa.and_(t.c.user_id == user_id, t.c.key == key.value)
        with self._transaction() as conn:
            if key.single_valued and polarity is Polarity.LIKE:
                conn.execute(sa.delete(t).where(mine, t.c.value != value,
                                                t.c.polarity == Polarity.LIKE.value))
            existing = conn.execute(sa.select(t.c.id, t.c.created_at).where(mine, t.c.value == value)).first()
            words, turn = evidence.clipped() if evidence is not None else ("", "")
            fields = {"polarity": polarity.value, "source": source.value,
                      "confidence": float(confidence), "updated_at": now, "evidence": words, "evidence_turn": turn}
            if existing is None:
                conn.execute(sa.insert(t).values(user_id=user_id, key=key.value, value=value,
                                                 created_at=now, **fields))
                created = now
            else:
                conn.execute(sa.update(t).where(t.c.id == existing.id).values(**fields))
                created = existing.created_at
        return Preference(user_id, key, value, polarity, source, float(confidence), created, now, words, turn)

    def forget(self, user_id: str, keys: PrefKey | Iterable[PrefKey] | None = None) -> int:
        """Delete a user's preferences of one key or several, in one transaction; with no key,
        everything about the user (their corrections too). How many rows went."""
        import sqlalchemy as sa

        t = self._prefs
        where = t.c.user_id == _check_user(user_id)
        if keys is not None:
            wanted = [keys] if isinstance(keys, PrefKey) else list(keys)
            where = sa.and_(where, t.c.key.in_([PrefKey(k).value for k in wanted]))
        with self._transaction() as conn:
            removed = int(conn.execute(sa.delete(t).where(where)).rowcount or 0)
            if keys is None:
                c = self._corrections
                removed += int(conn.execute(sa.delete(c).where(c.c.user_id == user_id)).rowcount or 0)
            return removed

    def add_correction(self, user_id: str, said: str, meant: str) -> Correction:
        """Remember that when this user says ``said`` they mean ``meant`` (replacing an older one)."""
        import sqlalchemy as sa

        user_id = _check_user(user_id)
        said, meant = " ".join(str(said).lower().split()), " ".join(str(meant).split())
        if not said or not meant or len(said) > MAX_VALUE or len(meant) > MAX_VALUE:
            raise ValueError(f"a correction needs both phrases, each of 1 to {MAX_VALUE} characters")
        c = self._corrections
        now = _naive_utc(self._now())
        with self._transaction() as conn:
            conn.execute(sa.delete(c).where(c.c.user_id == user_id, c.c.said == said))
            conn.execute(sa.insert(c).values(user_id=user_id, said=said, meant=meant, created_at=now))
        return Correction(user_id, said, meant, now)

    def corrections(self, user_id: str) -> list[Correction]:
        """The user's corrections, oldest first."""
        import sqlalchemy as sa

        c = self._corrections
        query = sa.select(c).where(c.c.user_id == _check_user(user_id)).order_by(c.c.created_at, c.c.id)
        rows = self._read(lambda conn: conn.execute(query).all())
        return [Correction(r.user_id, r.said, r.meant, r.created_at) for r in rows]

    # -- reads ---------------------------------------------------------------------

    def get(self, user_id: str, key: PrefKey | None = None) -> list[Preference]:
        """A user's preferences (of one key), ordered by key, then by last update."""
        import sqlalchemy as sa

        t = self._prefs
        query = sa.select(t).where(t.c.user_id == _check_user(user_id))
        if key is not None:
            query = query.where(t.c.key == PrefKey(key).value)
        query = query.order_by(t.c.key, t.c.updated_at, t.c.id)
        rows = self._read(lambda conn: conn.execute(query).all())
        return [_preference(row) for row in rows if row.key in _KEYS]

    def liked(self, user_id: str, key: PrefKey) -> list[str]:
        """Liked values, most recently updated first."""
        return values_of(self.get(user_id, key), key, Polarity.LIKE)

    def disliked(self, user_id: str, key: PrefKey) -> list[str]:
        """Disliked values, most recently updated first."""
        return values_of(self.get(user_id, key), key, Polarity.DISLIKE)

    def first_liked(self, user_id: str, key: PrefKey) -> str | None:
        """The most recently updated liked value, or None."""
        return next(iter(self.liked(user_id, key)), None)

    def users(self) -> list[str]:
        """Every user with at least one stored preference, sorted."""
        import sqlalchemy as sa

        query = sa.select(self._prefs.c.user_id).distinct().order_by(self._prefs.c.user_id)
        return self._read(lambda conn: list(conn.execute(query).scalars()))

    @property
    def schema_version(self) -> int:
        """The schema version recorded in the file."""
        import sqlalchemy as sa

        return self._read(lambda conn: int(conn.execute(sa.select(self._info.c.version)).scalar_one()))

    # -- plumbing ------------------------------------------------------------------

    def _read(self, query: Callable[[Any], Any]) -> Any:
        return read(self._engine, query, PreferenceStoreError, "preferences")

    def _transaction(self) -> Any:
        return Transaction(self._engine, PreferenceStoreError, "preferences")



_KEYS = {k.value for k in PrefKey}


def _check_user(user_id: str) -> str:
    user_id = str(user_id)
    if not user_id.strip() or len(user_id) > MAX_USER_ID:
        raise ValueError(f"a user id must have 1 to {MAX_USER_ID} characters")
    return user_id


def _preference(row: Any) -> Preference:
    return Preference(
        user_id=row.user_id, key=PrefKey(row.key), value=row.value,
        polarity=Polarity(row.polarity), source=Source(row.source),
        confidence=float(row.confidence), created_at=row.created_at, updated_at=row.updated_at,
        evidence=row.evidence or "", evidence_turn=row.evidence_turn or "",
    )
