"""The rewrite table: source utterance -> target utterance, global or for one user, with its
support, absorption probability, wins, losses and state.

Mining writes it in one transaction (`apply_mined`); the online rewriter looks pairs up in
O(1) from an in-memory map that reloads when the table's generation changes; every applied
rewrite reports its outcome (`record_outcome`), and one whose record falls below the bound is
retired and no longer applied. An operator can block a rewrite (`block`): mining never brings
it back. The users whose chains backed each mined pair are kept beside it (`rewrite_supporters`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Iterable

from assistant.db import EngineStore, create_all, open_store
from assistant.learning.rewrite_records import (
    GLOBAL,
    MineDiff,
    MinedPair,
    Origin,
    RetirePolicy,
    Rewrite,
    RewriteStoreError,
    State,
    checked_pair,
    utc_now,
)
from assistant.text import MAX_KEY, normalize

# The records live in rewrite_records; importers use this module's names.
__all__ = ["GLOBAL", "MineDiff", "MinedPair", "Origin", "RetirePolicy", "Rewrite", "RewriteStore",
           "RewriteStoreError", "State", "utc_now"]


def _tables(metadata: Any) -> tuple[Any, Any]:
    import sqlalchemy as sa

    rewrites = sa.Table(
        "rewrites", metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source", sa.String(MAX_KEY), nullable=False),
        sa.Column("target", sa.String(MAX_KEY), nullable=False),
        sa.Column("user_id", sa.String(100), nullable=False),
        sa.Column("origin", sa.String(20), nullable=False),
        sa.Column("support", sa.Integer, nullable=False, default=0),
        sa.Column("probability", sa.Float, nullable=False, default=0.0),
        sa.Column("wins", sa.Integer, nullable=False, default=0),
        sa.Column("losses", sa.Integer, nullable=False, default=0),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("reason", sa.String(200), nullable=False, default=""),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("user_id", "source", "target", name="uq_rewrite"),
    )
    generation = sa.Table("rewrite_generation", metadata, sa.Column("value", sa.Integer, nullable=False))
    return rewrites, generation


def _supporters_table(metadata: Any) -> Any:
    import sqlalchemy as sa

    return sa.Table(
        "rewrite_supporters", metadata,
        sa.Column("rewrite_id", sa.Integer, nullable=False, index=True),
        sa.Column("user_id", sa.String(100), nullable=False),
        sa.UniqueConstraint("rewrite_id", "user_id", name="uq_rewrite_supporter"),
    )


class RewriteStore(EngineStore):
    """Open with `RewriteStore.open(url_or_path)`."""

    def __init__(self, engine: Any, retire: RetirePolicy = RetirePolicy()) -> None:
        import sqlalchemy as sa

        self._engine = engine
        self.retire_policy = retire
        self._metadata = sa.MetaData()
        self._rewrites, self._generation = _tables(self._metadata)
        self._supporters = _supporters_table(self._metadata)
        self._cache: dict[tuple[str, str], Rewrite] = {}
        self._phrases: dict[tuple[str, ...], Rewrite] = {}
        self._personal_phrases: dict[str, dict[tuple[str, ...], Rewrite]] = {}
        self._cache_generation: int | None = None

    @classmethod
    def open(cls, target: str | Path, retire: RetirePolicy = RetirePolicy()) -> "RewriteStore":
        def build(engine: Any) -> "RewriteStore":
            store = cls(engine, retire)
            create_all(store._metadata, engine)
            return store

        return open_store(target, build, error=RewriteStoreError, what="the rewrite table")

    # -- reads ---------------------------------------------------------------------

    def all(self, user_id: str | None = None, *, include_retired: bool = True) -> list[Rewrite]:
        """Rewrites (global and, with ``user_id``, that user's; else everyone's), by scope and source."""
        import sqlalchemy as sa

        t = self._rewrites
        query = sa.select(t).order_by(t.c.user_id, t.c.source, t.c.target)
        if user_id is not None:
            query = query.where(t.c.user_id.in_([GLOBAL, user_id]))
        if not include_retired:
            query = query.where(t.c.state == State.ACTIVE.value)
        with self._engine.connect() as conn:
            rewrites = [self._rewrite(row) for row in conn.execute(query).mappings()]
            if include_retired:   # the listing shows them; the online lookup map has no use for them
                backers = self._read_supporters(conn)
                for rewrite in rewrites:
                    rewrite.supporters = backers.get(rewrite.id, ()) if rewrite.id is not None else ()
            return rewrites

    def _read_supporters(self, conn: Any) -> dict[int, tuple[str, ...]]:
        import sqlalchemy as sa

        s = self._supporters
        found: dict[int, list[str]] = {}
        for rewrite_id, user_id in conn.execute(sa.select(s.c.rewrite_id, s.c.user_id).order_by(s.c.user_id)):
            found.setdefault(int(rewrite_id), []).append(str(user_id))
        return {k: tuple(v) for k, v in found.items()}

    def get(self, rewrite_id: int) -> Rewrite | None:
        """One rewrite by id, with its supporters."""
        import sqlalchemy as sa

        t = self._rewrites
        with self._engine.connect() as conn:
            row = conn.execute(sa.select(t).where(t.c.id == int(rewrite_id))).mappings().first()
            if row is None:
                return None
            rewrite = self._rewrite(row)
            rewrite.supporters = self._read_supporters(conn).get(rewrite.id or -1, ())
        return rewrite

    def lookup(self, text: str, user_id: str | None, *, personal: bool = True,
               global_: bool = True, origins: Iterable[Origin] = (Origin.MARKOV,),
               generation: int | None = None) -> Rewrite | None:
        """The active rewrite for an utterance: the user's own first, then the global one. O(1)
        (``generation``: the table's, when the caller has just read it)."""
        self._refresh(generation)
        key = normalize(text)
        wanted = set(origins)
        scopes = ([user_id] if personal and user_id else []) + ([GLOBAL] if global_ else [])
        for scope in scopes:
            found = self._cache.get((scope, key))
            if found is not None and found.origin in wanted:
                return found
        return None

    def phrase_rules(self, generation: int | None = None, user_id: str | None = None
                     ) -> dict[tuple[str, ...], Rewrite]:
        """The active phrase rules by their heard span's words (``generation``: as `lookup`): the
        global ones, and with ``user_id`` that user's own, which win over a global rule of the same span."""
        self._refresh(generation)
        own = self._personal_phrases.get(user_id) if user_id else None
        return {**self._phrases, **own} if own else self._phrases

    def find(self, source: str, target: str, user_id: str = GLOBAL) -> Rewrite | None:
        import sqlalchemy as sa

        t = self._rewrites
        with self._engine.connect() as conn:
            row = conn.execute(sa.select(t).where(
                t.c.user_id == user_id, t.c.source == normalize(source), t.c.target == target)).mappings().first()
        return None if row is None else self._rewrite(row)

    @property
    def engine(self) -> Any:
        """The SQLAlchemy engine (the retrieval index keeps its table beside the rewrites)."""
        return self._engine

    def bump_generation(self) -> None:
        """Tell online readers that what they cached is stale."""
        with self._engine.begin() as conn:
            self._bump(conn)

    def generation(self) -> int:
        import sqlalchemy as sa

        with self._engine.connect() as conn:
            return int(conn.execute(sa.select(self._generation.c.value)).scalar() or 0)

    def _refresh(self, current: int | None = None) -> None:
        current = self.generation() if current is None else current
        if current == self._cache_generation:
            return
        cache: dict[tuple[str, str], Rewrite] = {}
        phrases: dict[tuple[str, ...], Rewrite] = {}
        personal: dict[str, dict[tuple[str, ...], Rewrite]] = {}
        for rewrite in self.all(include_retired=False):
            if rewrite.origin is Origin.PHRASE:   # a span inside requests, never a whole one
                span = tuple(rewrite.source.split())
                scope = phrases if rewrite.is_global else personal.setdefault(rewrite.user_id, {})
                known = scope.get(span)
                if span and (known is None or rewrite.probability > known.probability):
                    scope[span] = rewrite
                continue
            best = cache.get((rewrite.user_id, rewrite.source))
            if best is None or rewrite.probability > best.probability:
                cache[(rewrite.user_id, rewrite.source)] = rewrite
        self._cache, self._phrases, self._personal_phrases = cache, phrases, personal
        self._cache_generation = current

    # -- writes --------------------------------------------------------------------

    def _bump(self, conn: Any) -> None:
        import sqlalchemy as sa

        g = self._generation
        current = conn.execute(sa.select(g.c.value)).scalar()
        if current is None:
            conn.execute(sa.insert(g).values(value=1))
        else:
            conn.execute(sa.update(g).values(value=int(current) + 1))

    def add(self, rewrite: Rewrite) -> Rewrite:
        """Insert one rewrite (or return the stored one for the same user, source and target)."""
        import sqlalchemy as sa

        rewrite.source = normalize(rewrite.source)
        rewrite.target = str(rewrite.target)[:MAX_KEY]
        existing = self.find(rewrite.source, rewrite.target, rewrite.user_id)
        if existing is not None:
            return existing
        now = utc_now()
        row = self._row(rewrite, now)
        try:
            with self._engine.begin() as conn:
                rewrite.id = int(conn.execute(sa.insert(self._rewrites).values(**row)).inserted_primary_key[0])
                if rewrite.origin is not Origin.RETRIEVAL:   # retrieval rows are not in the lookup map
                    self._bump(conn)
        except Exception as error:  # noqa: BLE001
            raise RewriteStoreError(f"could not store the rewrite {rewrite.source!r}: {error}") from error
        rewrite.created_at = rewrite.updated_at = now
        return rewrite

    def record_outcome(self, rewrite_id: int, won: bool) -> Rewrite | None:
        """Count a win or a loss; retire the rewrite when its record falls below the bound."""
        import sqlalchemy as sa

        t = self._rewrites
        try:
            with self._engine.begin() as conn:
                row = conn.execute(sa.select(t).where(t.c.id == rewrite_id)).mappings().first()
                if row is None:
                    return None
                rewrite = self._rewrite(row)
                if won:
                    rewrite.wins += 1
                else:
                    rewrite.losses += 1
                values: dict[str, Any] = {"wins": rewrite.wins, "losses": rewrite.losses,
                                          "updated_at": utc_now()}
                if rewrite.state is State.ACTIVE and self.retire_policy.retires(rewrite.wins, rewrite.losses):
                    rewrite.state = State.RETIRED
                    rewrite.reason = f"{rewrite.wins} wins, {rewrite.losses} losses"
                    values.update(state=rewrite.state.value, reason=rewrite.reason)
                    self._bump(conn)
                conn.execute(sa.update(t).where(t.c.id == rewrite_id).values(**values))
        except Exception as error:  # noqa: BLE001
            raise RewriteStoreError(f"could not record the outcome of rewrite {rewrite_id}: {error}") from error
        return rewrite

    def apply_mined(self, pairs: Iterable[MinedPair], *, origin: Origin = Origin.MARKOV) -> MineDiff:
        """Make the table's rewrites of this origin match what mining found, in one transaction.

        New pairs are added; known ones get the new support and probability; pairs mining no
        longer proposes are retired; pairs retired for their losses stay retired.
        """
        import sqlalchemy as sa

        t = self._rewrites
        diff = MineDiff()
        now = utc_now()
        try:
            wanted = {(p.user_id, normalize(p.source), str(p.target)[:MAX_KEY]): checked_pair(p) for p in pairs}
            with self._engine.begin() as conn:
                stored = {(r.user_id, r.source, r.target): r for r in (
                    self._rewrite(row) for row in conn.execute(
                        sa.select(t).where(t.c.origin == origin.value)).mappings())}
                for key, pair in wanted.items():
                    known = stored.get(key)
                    if known is None:
                        rewrite = Rewrite(source=key[1], target=key[2], user_id=key[0], origin=origin,
                                          support=pair.support, probability=pair.probability)
                        rewrite.id = int(conn.execute(sa.insert(t).values(**self._row(rewrite, now)))
                                         .inserted_primary_key[0])
                        diff.added.append(rewrite)
                        known = rewrite
                    elif (known.support, round(known.probability, 6)) != (pair.support, round(pair.probability, 6)) \
                            or (known.state is State.RETIRED and known.reason == "no longer mined"):
                        values: dict[str, Any] = {"support": pair.support, "probability": pair.probability,
                                                  "updated_at": now}
                        if known.reason == "no longer mined":
                            values.update(state=State.ACTIVE.value, reason="")
                        conn.execute(sa.update(t).where(t.c.id == known.id).values(**values))
                        known.support, known.probability = pair.support, pair.probability
                        diff.updated.append(known)
                    else:
                        diff.unchanged += 1
                    assert known.id is not None   # a stored rewrite, or one just inserted
                    self._write_supporters(conn, int(known.id), pair.supporters)
                    known.supporters = tuple(sorted(set(pair.supporters)))
                for key, known in stored.items():
                    if key not in wanted and known.state is State.ACTIVE:
                        conn.execute(sa.update(t).where(t.c.id == known.id).values(
                            state=State.RETIRED.value, reason="no longer mined", updated_at=now))
                        known.state, known.reason = State.RETIRED, "no longer mined"
                        diff.retired.append(known)
                self._bump(conn)
        except Exception as error:  # noqa: BLE001 - the transaction rolled back: table untouched
            raise RewriteStoreError(f"could not store the mined rewrites (table unchanged): {error}") from error
        return diff

    def block(self, rewrite_id: int, reason: str = "blocked by an operator") -> Rewrite:
        """Stop a rewrite from applying, for good: mining leaves a blocked pair blocked.

        Raises:
            RewriteStoreError: there is no rewrite with that id, or the write failed.
        """
        import sqlalchemy as sa

        t = self._rewrites
        try:
            with self._engine.begin() as conn:
                found = conn.execute(sa.update(t).where(t.c.id == int(rewrite_id)).values(
                    state=State.BLOCKED.value, reason=reason[:200], updated_at=utc_now())).rowcount
                if found:
                    self._bump(conn)
        except Exception as error:  # noqa: BLE001
            raise RewriteStoreError(f"could not block rewrite {rewrite_id}: {error}") from error
        rewrite = self.get(rewrite_id) if found else None
        if rewrite is None:
            raise RewriteStoreError(f"there is no rewrite with id {rewrite_id}; `assistant rewrites` lists them")
        return rewrite

    def forget_user(self, user_id: str) -> int:
        """Remove a user's personal rewrites and their name behind global ones (privacy); how
        many rows went."""
        import sqlalchemy as sa

        t, s = self._rewrites, self._supporters
        with self._engine.begin() as conn:
            mine = sa.select(t.c.id).where(t.c.user_id == user_id).scalar_subquery()
            removed = int(conn.execute(sa.delete(s).where(sa.or_(s.c.user_id == user_id,
                                                                 s.c.rewrite_id.in_(mine)))).rowcount or 0)
            removed += int(conn.execute(sa.delete(t).where(t.c.user_id == user_id)).rowcount or 0)
            self._bump(conn)
        return removed

    def clear(self) -> None:
        import sqlalchemy as sa

        with self._engine.begin() as conn:
            conn.execute(sa.delete(self._rewrites))
            conn.execute(sa.delete(self._supporters))
            self._bump(conn)

    def _write_supporters(self, conn: Any, rewrite_id: int, users: Iterable[str]) -> None:
        import sqlalchemy as sa

        s = self._supporters
        conn.execute(sa.delete(s).where(s.c.rewrite_id == rewrite_id))
        rows = [{"rewrite_id": rewrite_id, "user_id": str(u)[:100]} for u in sorted(set(users))]
        if rows:
            conn.execute(sa.insert(s), rows)

    @staticmethod
    def _row(rewrite: Rewrite, now: dt.datetime) -> dict[str, Any]:
        return {"source": rewrite.source, "target": rewrite.target, "user_id": rewrite.user_id,
                "origin": rewrite.origin.value, "support": int(rewrite.support),
                "probability": float(rewrite.probability), "wins": rewrite.wins,
                "losses": rewrite.losses, "state": rewrite.state.value, "reason": rewrite.reason,
                "created_at": now, "updated_at": now}

    @staticmethod
    def _rewrite(row: Any) -> Rewrite:
        values = dict(row)
        values["origin"] = Origin(values["origin"])
        values["state"] = State(values["state"])
        return Rewrite(**values)
