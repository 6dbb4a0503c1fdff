"""The simulator's ground truth of each logged turn, kept beside the product's interaction log.

The product's log (`assistant.learning.log`) has no truth column: what the simulated user meant,
whether the turn succeeded, where it failed, how the user reacted, is the simulator's knowledge,
not the assistant's. It lives here, one row per turn keyed by the log's turn id (with the user,
so that a truth left behind by a cleared or forgotten turn never attaches to another user's turn
that reuses the id):

- beside a SQLite log file ``DIR/learning.db``: its own file, ``DIR/learning.truth.db``;
- beside an in-memory log (or a fake one): in memory, one store per log object;
- beside a server log (PostgreSQL): its own table (`sim_truth`) in the same database, which the
  product never reads.

The simulator writes it where it plays turns (`simulator.population.session`); the lab, the
simulator's measurements and the `assistant analyze` command read it back by joining on the turn
id (`attach`), setting the in-memory `TurnRecord.truth` of the records they read. The learner is
never handed it (tests/lab/analytics/test_no_truth_leak.py).

A log written by an older version kept the truth in a `truth` column of its `turns` table: the
first time a store is opened beside such a log (and is empty), those truths are copied here.

This is lab data about simulated users: the product's "forget me" (`assistant.privacy`) deletes
the user's turns, not this file; `forget_user` here does it for the lab, and a truth whose turn is
gone is never attached to anything.
"""

from __future__ import annotations

import json
import logging
import weakref
from pathlib import Path
from typing import Any, Iterable, Sequence, TypeVar

from assistant.db import EngineStore, create_all, create_engine, database_url, is_sqlite, open_store, sqlite_path

logger = logging.getLogger(__name__)

TABLE = "sim_truth"
SUFFIX = ".truth"
_CHUNK = 500   # ids per IN (...) query (SQLite allows 999 parameters on old builds)

R = TypeVar("R")


class TruthStoreError(RuntimeError):
    """The truth store could not be opened, read or written."""


def truth_target(log_url: str | Path) -> str:
    """Where the truth of the log at ``log_url`` is kept: a SQLite file beside a SQLite log file,
    in memory beside an in-memory log, the same database (own table) beside a server log."""
    text = str(log_url)
    if is_sqlite(text):
        path = sqlite_path(text)
        if path is None:
            return "sqlite://"
        return database_url(path.with_name(path.stem + SUFFIX + path.suffix))
    return text


def _table(metadata: Any) -> Any:
    import sqlalchemy as sa

    return sa.Table(
        TABLE, metadata,
        sa.Column("turn_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("user_id", sa.String(100), index=True),
        sa.Column("truth", sa.Text, nullable=False),
    )


def _loads(text: Any) -> dict[str, Any] | None:
    try:
        value = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


class TruthStore(EngineStore):
    """Truth rows keyed by turn id. Open with `TruthStore.open(url_or_path)`, `TruthStore.beside(log_url)`
    or `for_log(log)`."""

    def __init__(self, engine: Any) -> None:
        import sqlalchemy as sa

        self._engine = engine
        self._metadata = sa.MetaData()
        self._rows = _table(self._metadata)

    @classmethod
    def open(cls, target: str | Path) -> "TruthStore":
        def build(engine: Any) -> "TruthStore":
            store = cls(engine)
            create_all(store._metadata, engine)
            return store

        return open_store(target, build, error=TruthStoreError, what="the truth store", engine=_engine)

    @classmethod
    def beside(cls, log_url: str | Path, *, create: bool = True) -> "TruthStore | None":
        """The store beside the log at ``log_url``, with an older log's truth column copied in
        when the store is new. ``create=False``: None when there is no truth to read (no
        store file, and no older truth column to copy)."""
        target = truth_target(log_url)
        if not create and not _has_store(target) and not _legacy_truth(str(log_url)):
            return None
        store = cls.open(target)
        try:
            store.import_legacy(str(log_url))
        except Exception as error:  # noqa: BLE001 - the old column is a convenience, never a failed open
            logger.warning("could not copy the truth column of the log at %s: %s", log_url, error)
        return store

    # -- writes --------------------------------------------------------------------

    def merge(self, turn_id: int, values: dict[str, Any], *, user_id: str | None = None) -> None:
        """Merge ``values`` into a turn's truth (later values win). A row left by another user's
        turn of the same id (a log cleared since) is replaced, not merged into."""
        import sqlalchemy as sa

        t = self._rows
        try:
            with self._engine.begin() as conn:
                row = conn.execute(sa.select(t.c.truth, t.c.user_id).where(t.c.turn_id == turn_id)).first()
                if row is None:
                    conn.execute(sa.insert(t).values(turn_id=turn_id, user_id=user_id, truth=_dumps(values)))
                    return
                stale = user_id is not None and row.user_id is not None and row.user_id != user_id
                merged = dict(values) if stale else {**(_loads(row.truth) or {}), **values}
                conn.execute(sa.update(t).where(t.c.turn_id == turn_id)
                             .values(truth=_dumps(merged), user_id=user_id or row.user_id))
        except Exception as error:  # noqa: BLE001
            raise TruthStoreError(f"could not write the truth of turn {turn_id}: {error}") from error

    def put_many(self, rows: Iterable[tuple[int, str | None, dict[str, Any]]]) -> int:
        """Store (turn id, user id, truth) rows, replacing any of the same ids; how many."""
        import sqlalchemy as sa

        rows = [(int(turn_id), user, truth) for turn_id, user, truth in rows]
        if not rows:
            return 0
        t = self._rows
        try:
            with self._engine.begin() as conn:
                ids = [turn_id for turn_id, _, _ in rows]
                for start in range(0, len(ids), _CHUNK):
                    conn.execute(sa.delete(t).where(t.c.turn_id.in_(ids[start:start + _CHUNK])))
                conn.execute(sa.insert(t), [{"turn_id": turn_id, "user_id": user, "truth": _dumps(truth)}
                                            for turn_id, user, truth in rows])
        except Exception as error:  # noqa: BLE001
            raise TruthStoreError(f"could not write {len(rows)} truth row(s): {error}") from error
        return len(rows)

    def forget_user(self, user_id: str) -> int:
        """Delete the truth of every turn of one user; how many rows went."""
        import sqlalchemy as sa

        with self._engine.begin() as conn:
            return int(conn.execute(sa.delete(self._rows).where(self._rows.c.user_id == user_id)).rowcount or 0)

    def clear(self) -> None:
        """Delete every row (the log beside it was cleared: its ids will be used again)."""
        import sqlalchemy as sa

        with self._engine.begin() as conn:
            conn.execute(sa.delete(self._rows))

    def import_legacy(self, log_url: str) -> int:
        """Copy the `truth` column of an older log's `turns` table, when this store is empty; how
        many rows were copied."""
        if self.count():
            return 0
        rows = _legacy_rows(log_url)
        if rows:
            self.put_many(rows)
            logger.info("copied the truth of %d turns from the log's old truth column", len(rows))
        return len(rows)

    # -- reads ---------------------------------------------------------------------

    def get(self, turn_id: int) -> dict[str, Any] | None:
        return self.truths([turn_id]).get(int(turn_id), (None, None))[1]

    def truths(self, turn_ids: Iterable[int] | None = None) -> dict[int, tuple[str | None, dict[str, Any]]]:
        """turn id -> (user id, truth), for the given ids (all without)."""
        import sqlalchemy as sa

        t = self._rows
        query = sa.select(t.c.turn_id, t.c.user_id, t.c.truth)
        found: dict[int, tuple[str | None, dict[str, Any]]] = {}
        try:
            with self._engine.connect() as conn:
                batches: Iterable[Sequence[Any]]
                if turn_ids is None:
                    batches = [conn.execute(query).all()]
                else:
                    ids = sorted({int(i) for i in turn_ids})
                    batches = (conn.execute(query.where(t.c.turn_id.in_(ids[s:s + _CHUNK]))).all()
                               for s in range(0, len(ids), _CHUNK))
                for batch in batches:
                    for turn_id, user_id, text in batch:
                        truth = _loads(text)
                        if truth is not None:
                            found[int(turn_id)] = (user_id, truth)
        except Exception as error:  # noqa: BLE001
            raise TruthStoreError(f"could not read the truth store: {error}") from error
        return found

    def attach(self, records: Iterable[R]) -> list[R]:
        """The records, each with its truth (``record.truth``) when this store has one for its id
        and user; the others are left as they are."""
        records = list(records)
        ids = [r.id for r in records if getattr(r, "id", None) is not None]   # type: ignore[attr-defined]
        known = self.truths(ids) if ids else {}
        for record in records:
            row = known.get(getattr(record, "id", None))   # type: ignore[arg-type]
            if row is None:
                continue
            user_id, truth = row
            if user_id is not None and user_id != getattr(record, "user_id", user_id):
                continue   # a truth left by another user's turn of the same id
            record.truth = truth   # type: ignore[attr-defined]
        return records

    def count(self) -> int:
        import sqlalchemy as sa

        with self._engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(self._rows)).scalar() or 0)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _engine(url: str) -> Any:
    """`assistant.db.create_engine`, but one connection shared by every thread in memory (an
    in-memory database lives in its connection)."""
    if sqlite_path(url) is None and is_sqlite(url):
        import sqlalchemy as sa
        from sqlalchemy.pool import StaticPool

        return sa.create_engine("sqlite://", future=True, poolclass=StaticPool,
                                connect_args={"check_same_thread": False})
    return create_engine(url)


def _has_store(target: str) -> bool:
    """Whether a truth store was written at ``target`` (never for a new in-memory one)."""
    import sqlalchemy as sa

    if is_sqlite(target):
        path = sqlite_path(target)
        return path is not None and path.exists()
    engine = create_engine(target)
    try:
        return bool(sa.inspect(engine).has_table(TABLE))
    except Exception:  # noqa: BLE001 - unreachable: nothing to read
        return False
    finally:
        engine.dispose()


def _legacy_truth(log_url: str) -> bool:
    """Whether the log at ``log_url`` has an older version's `truth` column in its turns table."""
    import sqlalchemy as sa

    path = sqlite_path(log_url)
    if is_sqlite(log_url) and (path is None or not path.exists()):
        return False
    engine = create_engine(database_url(log_url))
    try:
        inspector = sa.inspect(engine)
        return inspector.has_table("turns") and any(c["name"] == "truth" for c in inspector.get_columns("turns"))
    except Exception:  # noqa: BLE001 - no readable log: nothing to copy
        return False
    finally:
        engine.dispose()


def _legacy_rows(log_url: str) -> list[tuple[int, str | None, dict[str, Any]]]:
    import sqlalchemy as sa

    if not _legacy_truth(log_url):
        return []
    engine = create_engine(database_url(log_url))
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT id, user_id, truth FROM turns WHERE truth IS NOT NULL")).all()
    finally:
        engine.dispose()
    return [(int(turn_id), user_id, truth) for turn_id, user_id, text in rows
            if (truth := _loads(text)) is not None]


# -- the store of a log object (the simulator writes through it while it plays) ----------------

_BY_LOG: "weakref.WeakKeyDictionary[Any, TruthStore]" = weakref.WeakKeyDictionary()


def for_log(log: Any) -> TruthStore:
    """The truth store beside ``log`` (an `InteractionLog`, or any object with `turns()`; one
    without a ``url`` gets an in-memory store), the same one for as long as the log lives."""
    store = _BY_LOG.get(log)
    if store is None:
        url = getattr(log, "url", None)
        store = TruthStore.beside(url) if isinstance(url, str) else TruthStore.open("sqlite://")
        assert store is not None
        _BY_LOG[log] = store
    return store


def attach(log: Any, records: Iterable[R]) -> list[R]:
    """``records`` (read from ``log``) with the truth kept beside the log attached."""
    return for_log(log).attach(records)


def turns_with_truth(log: Any, **kwargs: Any) -> list[Any]:
    """Every turn of ``log`` (`log.turns(**kwargs)`) with its truth attached (None without)."""
    return attach(log, log.turns(**kwargs))


def record_many(log: Any, records: list[Any]) -> list[int]:
    """Store turns in the log and the in-memory truth they carry beside it (synthetic logs,
    benchmarks, tests); returns their ids."""
    ids = log.record_many(records)
    for_log(log).put_many((r.id, r.user_id, r.truth) for r in records
                          if r.id is not None and isinstance(r.truth, dict) and r.truth)
    return ids


def attach_beside(log_url: str, records: Iterable[R]) -> list[R]:
    """The records of the log at ``log_url`` with the truth kept beside it (`assistant analyze`
    gets this from the command line); unchanged when there is none. Never creates a store."""
    records = list(records)
    store = TruthStore.beside(log_url, create=False)
    if store is None:
        return records
    with store:
        return store.attach(records)
