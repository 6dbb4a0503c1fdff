"""Two tables of this package in the preference database (`DataDir.prefs_url`): users' taught
concepts, and marks (a routine offered, an inference rejected, preferences forgotten).

The existing tables are untouched; these are created beside them on open. Every write is one
transaction, so a failure leaves what was stored before.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from assistant.db import EngineStore, Transaction, create_all, open_store, read

MAX_NAME = 60
MAX_STEP = 200


class HabitStoreError(RuntimeError):
    """The habits tables could not be opened, read or written."""


class MarkKind(str, enum.Enum):
    """What a mark records."""

    OFFERED = "offered"      # a routine was offered (value: the routine; detail: the answer)
    REJECTED = "rejected"    # the user said no to an inferred preference (key, value)
    FORGOT = "forgot"        # the user had preferences forgotten (key, or "*" for everything)


@dataclass(frozen=True)
class Concept:
    """A phrase one user taught, and the requests it stands for, in order. ``parses``: each
    step's NLU parse at teaching time ({intent, entities}; None for a step that is another
    concept, or one stored before parses were kept, until `HabitStore.save_parses`)."""

    user_id: str
    name: str
    steps: tuple[str, ...]
    created_at: dt.datetime
    parses: tuple[dict[str, Any] | None, ...] = ()

    def parse_of(self, step: int) -> dict[str, Any] | None:
        return self.parses[step] if step < len(self.parses) else None


@dataclass(frozen=True)
class Mark:
    """One mark of one user."""

    user_id: str
    kind: MarkKind
    key: str
    value: str
    at: dt.datetime
    detail: str = ""


def _tables() -> tuple[Any, Any, Any]:
    import sqlalchemy as sa

    metadata = sa.MetaData()
    concepts = sa.Table(
        "concepts", metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.String(100), nullable=False, index=True),
        sa.Column("name", sa.String(MAX_NAME), nullable=False),
        sa.Column("steps", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("user_id", "name", name="uq_concept_user_name"),
    )
    marks = sa.Table(
        "habit_marks", metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.String(100), nullable=False, index=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("key", sa.String(60), nullable=False),
        sa.Column("value", sa.String(200), nullable=False, default=""),
        sa.Column("detail", sa.String(200), nullable=False, default=""),
        sa.Column("at", sa.DateTime, nullable=False),
    )
    return metadata, concepts, marks


def _naive(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is None else moment.astimezone(dt.timezone.utc).replace(tzinfo=None)


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class HabitStore(EngineStore):
    """Concepts and marks. Open with `HabitStore.open(url_or_path)` (the preference database)."""

    def __init__(self, engine: Any, now: Callable[[], dt.datetime] = _utc_now) -> None:
        self._engine = engine
        self._now = now
        self._metadata, self._concepts, self._marks = _tables()

    @classmethod
    def open(cls, target: str | Path, *, now: Callable[[], dt.datetime] = _utc_now) -> "HabitStore":
        def build(engine: Any) -> "HabitStore":
            store = cls(engine, now)
            create_all(store._metadata, engine)
            return store

        return open_store(target, build, error=HabitStoreError, what="the habits tables")

    # -- concepts --------------------------------------------------------------------

    def save_concept(self, user_id: str, name: str, steps: list[str] | tuple[str, ...],
                     parses: Sequence[dict[str, Any] | None] = ()) -> Concept:
        """Store (or replace) one user's concept, with its steps' parses when known."""
        import sqlalchemy as sa

        if not name or len(name) > MAX_NAME or not steps or any(not s or len(s) > MAX_STEP for s in steps):
            raise ValueError("a concept needs a name of 1 to 60 characters and 1 or more steps")
        t, now = self._concepts, _naive(self._now())
        with self._write() as conn:
            conn.execute(sa.delete(t).where(t.c.user_id == user_id, t.c.name == name))
            conn.execute(sa.insert(t).values(user_id=user_id, name=name, steps=_dump(steps, parses),
                                             created_at=now))
        return Concept(user_id, name, tuple(steps), now, _padded(parses, len(steps)))

    def save_parses(self, concept: Concept, parses: Sequence[dict[str, Any] | None]) -> None:
        """Keep the parses of a concept's steps (the upgrade of a concept stored without them)."""
        import sqlalchemy as sa

        t = self._concepts
        with self._write() as conn:
            conn.execute(sa.update(t).where(t.c.user_id == concept.user_id, t.c.name == concept.name)
                         .values(steps=_dump(concept.steps, parses)))

    def unparsed(self) -> list[Concept]:
        """Every user's concepts with a step stored without its parse (before parses were kept)."""
        import sqlalchemy as sa

        t = self._concepts
        rows = self._read(lambda c: c.execute(sa.select(t).order_by(t.c.id)).all())
        return [c for c in (_concept(r) for r in rows)
                if c is not None and any(p is None for p in _padded(c.parses, len(c.steps)))]

    def concepts(self, user_id: str) -> list[Concept]:
        """The user's concepts, oldest first."""
        import sqlalchemy as sa

        t = self._concepts
        rows = self._read(lambda c: c.execute(
            sa.select(t).where(t.c.user_id == user_id).order_by(t.c.created_at, t.c.id)).all())
        return [c for c in (_concept(r) for r in rows) if c is not None]

    def forget_concept(self, user_id: str, name: str | None = None) -> int:
        """Delete one concept (or all the user's with no name); how many went."""
        import sqlalchemy as sa

        t = self._concepts
        where = t.c.user_id == user_id
        if name is not None:
            where = sa.and_(where, t.c.name == name)
        with self._write() as conn:
            return int(conn.execute(sa.delete(t).where(where)).rowcount or 0)

    # -- marks -----------------------------------------------------------------------

    def mark(self, user_id: str, kind: MarkKind, key: str, value: str = "", *,
             at: dt.datetime | None = None, detail: str = "") -> Mark:
        import sqlalchemy as sa

        moment = _naive(at or self._now())
        with self._write() as conn:
            conn.execute(sa.insert(self._marks).values(user_id=user_id, kind=MarkKind(kind).value, key=key,
                                                       value=value, detail=detail, at=moment))
        return Mark(user_id, MarkKind(kind), key, value, moment, detail)

    def marks(self, user_id: str | None = None, kind: MarkKind | None = None) -> list[Mark]:
        """Marks (of a user, of a kind), oldest first."""
        import sqlalchemy as sa

        t = self._marks
        query = sa.select(t).order_by(t.c.at, t.c.id)
        if user_id is not None:
            query = query.where(t.c.user_id == user_id)
        if kind is not None:
            query = query.where(t.c.kind == MarkKind(kind).value)
        rows = self._read(lambda c: c.execute(query).all())
        return [Mark(r.user_id, MarkKind(r.kind), r.key, r.value, r.at, r.detail) for r in rows
                if r.kind in _KINDS]

    def forget_user(self, user_id: str) -> int:
        """Remove one user's concepts and marks (privacy); how many rows went."""
        import sqlalchemy as sa

        with self._write() as conn:
            return sum(int(conn.execute(sa.delete(t).where(t.c.user_id == user_id)).rowcount or 0)
                       for t in (self._concepts, self._marks))

    def clear(self) -> None:
        """Remove every concept and mark (a clean learning state)."""
        import sqlalchemy as sa

        with self._write() as conn:
            conn.execute(sa.delete(self._concepts))
            conn.execute(sa.delete(self._marks))

    # -- plumbing --------------------------------------------------------------------

    def _read(self, query: Callable[[Any], Any]) -> Any:
        return read(self._engine, query, HabitStoreError, "the habits tables")

    def _write(self) -> Any:
        return Transaction(self._engine, HabitStoreError, "the habits tables")


_KINDS = {k.value for k in MarkKind}


def _dump(steps: Sequence[str], parses: Sequence[dict[str, Any] | None]) -> str:
    """Steps as stored: a step with its parse is {"text", "parse"}; without one, its text (as
    every step was stored before parses were kept)."""
    padded = _padded(parses, len(steps))
    return json.dumps([{"text": s, "parse": p} if p is not None else s for s, p in zip(steps, padded)])


def _padded(parses: Sequence[dict[str, Any] | None], count: int) -> tuple[dict[str, Any] | None, ...]:
    return tuple(list(parses)[:count]) + (None,) * max(0, count - len(parses))


def _concept(row: Any) -> Concept | None:
    """A stored row (either format of steps), or None when it is corrupt (skipped, not fatal)."""
    try:
        items = json.loads(row.steps)
        steps = tuple(str(i["text"]) if isinstance(i, dict) else str(i) for i in items)
        parses = tuple(i.get("parse") if isinstance(i, dict) else None for i in items)
    except (TypeError, ValueError, KeyError):
        return None
    return Concept(row.user_id, row.name, steps, row.created_at, parses)


def for_actions() -> HabitStore:
    """The habits tables beside the preference store the actions use (opened once per process)."""
    import os

    from assistant.paths import DEFAULT_DATA_DIR, PREFS_URL_ENV, DataDir
    from assistant.services import preferences

    url = (os.environ.get(PREFS_URL_ENV) or getattr(preferences, "_runtime_url", None)
           or DataDir(DEFAULT_DATA_DIR).prefs_url)
    return _open(url)


_OPENED: dict[str, HabitStore] = {}


def _open(url: str) -> HabitStore:
    if url not in _OPENED:
        _OPENED[url] = HabitStore.open(url)
    return _OPENED[url]


def step_parse(parsed: dict[str, Any]) -> dict[str, Any]:
    """What a concept keeps of a step's NLU parse: its intent, confidence and entities."""
    intent = parsed.get("intent") or {}
    return {"intent": intent.get("name"), "confidence": float(intent.get("confidence") or 0.0),
            "entities": [{k: e.get(k) for k in ("entity", "value", "start", "end", "role", "group")
                          if e.get(k) is not None} for e in parsed.get("entities") or []]}


def upgrade(store: HabitStore, parse: Callable[[str], dict[str, Any]]) -> int:
    """Give the concepts stored before parses were kept their steps' parses (``parse``: the
    model's NLU on one text, never a full turn); how many concepts were upgraded."""
    done = 0
    for concept in store.unparsed():
        parses = [concept.parse_of(i) or step_parse(parse(step)) for i, step in enumerate(concept.steps)]
        store.save_parses(concept, parses)
        done += 1
    return done
