"""The repairs' record: for each (kind, heard words, value), globally (``user_id='*'``) and for
each user, the wins and losses of the turns it was applied in, and its state.

It lives in the learning database (`DataDir.learning_url`, beside the log and the rewrites),
so the action server (which applies repairs, reading the URL from the message metadata) and
the runtime (which settles each turn's outcome) share it. A repair whose record falls below
`RetirePolicy` (the rewrites' rule) is retired: globally for everyone, personally for one user.
A row that can't be read (a count that is no number, an unknown state) is skipped with a
logged reason; the other rows still apply.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

from assistant.db import EngineStore, create_all, open_store
from assistant.learning.rewrite_records import GLOBAL, RetirePolicy, State, utc_now
from assistant.repair.outcome import MAX_HEARD, MAX_VALUE, Repair
from assistant.text import plain

logger = logging.getLogger(__name__)


class RepairStoreError(RuntimeError):
    """The repair table could not be opened, read or written."""


@dataclass(frozen=True)
class RepairRecord:
    """One row: a repair's record, globally (``user_id == '*'``) or for one user."""

    user_id: str
    kind: str
    heard: str
    value: str
    wins: int
    losses: int
    state: State

    @property
    def active(self) -> bool:
        return self.state is State.ACTIVE

    def to_json(self) -> dict[str, Any]:
        return {"user_id": None if self.user_id == GLOBAL else self.user_id, "kind": self.kind,
                "heard": self.heard, "value": self.value, "wins": self.wins, "losses": self.losses,
                "state": self.state.value}


def _table(metadata: Any) -> Any:
    import sqlalchemy as sa

    return sa.Table(
        "repairs", metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.String(100), nullable=False, index=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("heard", sa.String(MAX_HEARD), nullable=False),
        sa.Column("value", sa.String(MAX_VALUE), nullable=False),
        sa.Column("wins", sa.Integer, nullable=False, default=0),
        sa.Column("losses", sa.Integer, nullable=False, default=0),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("user_id", "kind", "heard", "value", name="uq_repair"),
    )


class RepairStore(EngineStore):
    """Open with `RepairStore.open(url_or_path)`."""

    def __init__(self, engine: Any, retire: RetirePolicy = RetirePolicy()) -> None:
        import sqlalchemy as sa

        self._engine = engine
        self.retire_policy = retire
        self._metadata = sa.MetaData()
        self._repairs = _table(self._metadata)

    @property
    def engine(self) -> Any:
        """The learning database's engine (the user's logged history is read through it)."""
        return self._engine

    @classmethod
    def open(cls, target: str | Path, retire: RetirePolicy = RetirePolicy()) -> "RepairStore":
        def build(engine: Any) -> "RepairStore":
            store = cls(engine, retire)
            create_all(store._metadata, engine)
            return store

        return open_store(target, build, error=RepairStoreError, what="the repair table")

    # -- reads ---------------------------------------------------------------------

    def records_of(self, kinds: Sequence[str], heard: Sequence[str], user_id: str | None = None
                   ) -> dict[str, list[RepairRecord]]:
        """The records of several heard spans as any of ``kinds`` (global, and with ``user_id``
        that user's), by the span as stored (`plain`, cut to `MAX_HEARD`): one read for a turn."""
        import sqlalchemy as sa

        t = self._repairs
        users = [GLOBAL] if user_id is None else [GLOBAL, user_id]
        spans = sorted({plain(h)[:MAX_HEARD] for h in heard})
        if not spans or not kinds:
            return {}
        query = sa.select(t).where(t.c.kind.in_(list(kinds)), t.c.heard.in_(spans), t.c.user_id.in_(users))
        found: dict[str, list[RepairRecord]] = {}
        for record in self._read(query.order_by(t.c.id)):
            found.setdefault(record.heard, []).append(record)
        return found

    def history(self, user_id: str) -> list[RepairRecord]:
        """One user's own records (what their repairs were, and how they went)."""
        import sqlalchemy as sa

        t = self._repairs
        return self._read(sa.select(t).where(t.c.user_id == user_id).order_by(t.c.id))

    def all(self) -> list[RepairRecord]:
        import sqlalchemy as sa

        t = self._repairs
        return self._read(sa.select(t).order_by(t.c.user_id, t.c.kind, t.c.heard))

    def _read(self, query: Any) -> list[RepairRecord]:
        try:
            with self._engine.connect() as conn:
                rows = list(conn.execute(query).mappings())
        except Exception as error:  # noqa: BLE001 - one clear error type for callers
            raise RepairStoreError(f"could not read the repair table: {error}") from error
        return [record for row in rows if (record := _record(row)) is not None]

    # -- writes --------------------------------------------------------------------

    def record_outcome(self, repair: Repair, user_id: str, won: bool) -> list[RepairRecord]:
        """Count a win or a loss for the repair, globally and for the user; retire a row whose
        record falls below the policy. Returns the rows as they now are."""
        import sqlalchemy as sa

        kind, heard, value = repair.key
        heard = heard[:MAX_HEARD]
        t = self._repairs
        now, updated = utc_now(), []
        try:
            with self._engine.begin() as conn:
                for user in (GLOBAL, user_id):
                    where = (t.c.user_id == user, t.c.kind == kind, t.c.heard == heard, t.c.value == value)
                    row = conn.execute(sa.select(t).where(*where)).mappings().first()
                    old = _record(row) if row is not None else None
                    wins, losses = (old.wins, old.losses) if old is not None else (0, 0)
                    state = old.state if old is not None else State.ACTIVE
                    wins, losses = wins + int(won), losses + int(not won)
                    if state is State.ACTIVE and self.retire_policy.retires(wins, losses):
                        state = State.RETIRED
                        logger.info("repair %r -> %r retired for %s: %d wins, %d losses", heard, value,
                                    "everyone" if user == GLOBAL else user, wins, losses)
                    values = {"wins": wins, "losses": losses, "state": state.value, "updated_at": now}
                    if row is None:
                        conn.execute(sa.insert(t).values(user_id=user, kind=kind, heard=heard, value=value,
                                                         **values))
                    else:
                        conn.execute(sa.update(t).where(t.c.id == row["id"]).values(**values))
                    updated.append(RepairRecord(user, kind, heard, value, wins, losses, state))
        except Exception as error:  # noqa: BLE001
            raise RepairStoreError(f"could not record the outcome of repair {heard!r} -> {value!r}: "
                                   f"{error}") from error
        return updated

    def forget_user(self, user_id: str) -> int:
        """Delete one user's own rows (the global record keeps their counts, as rewrites do)."""
        import sqlalchemy as sa

        with self._engine.begin() as conn:
            return int(conn.execute(sa.delete(self._repairs).where(self._repairs.c.user_id == user_id)).rowcount)

    def clear(self) -> None:
        import sqlalchemy as sa

        with self._engine.begin() as conn:
            conn.execute(sa.delete(self._repairs))


def _record(row: Any) -> RepairRecord | None:
    """A row as a record; None (logged) when it can't be read."""
    try:
        wins, losses = int(row["wins"]), int(row["losses"])
        if wins < 0 or losses < 0:
            raise ValueError(f"negative counts {wins}, {losses}")
        state = State(row["state"])
        heard, value = str(row["heard"]), str(row["value"])
        if not plain(heard) or not plain(value):
            raise ValueError("an empty heard span or value")
        return RepairRecord(str(row["user_id"]), str(row["kind"]), heard, value, wins, losses, state)
    except (TypeError, ValueError, KeyError) as error:
        logger.warning("repair row %s skipped: %s", row.get("id") if hasattr(row, "get") else "?", error)
        return None


def by_value(records: Iterable[RepairRecord]) -> dict[tuple[str, str], RepairRecord]:
    """Records keyed by (user id or '*', value)."""
    return {(r.user_id, r.value): r for r in records}
