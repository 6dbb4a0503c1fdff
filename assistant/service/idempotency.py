"""Idempotency keys: a retried request returns the stored answer and never runs twice.

A key is claimed (a row per home and key, unique) before the turn runs; the answer is written
in the same transaction as the home's new state (`complete`), so either both are stored or
neither. A claim whose holder died is taken over after its lease.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import os
import time
import uuid
from dataclasses import dataclass
from typing import Any

from assistant.service.tables import (
    MAX_KEY,
    Conflict,
    ServiceDB,
    ServiceStoreError,
    utc_now,
)

LEASE_ENV = "ASSISTANT_IDEMPOTENCY_LEASE"
DEFAULT_LEASE_SECONDS = 15.0
KEYS_KEPT = dt.timedelta(days=1)


class BadKeyError(ValueError):
    """An idempotency key that is empty, too long or not printable ASCII (HTTP 422)."""


class LostClaimError(Conflict):
    """Another server took the claim over (this one was too slow); its answer stands."""


class ClaimState(enum.Enum):
    RUN = "run"        # this caller runs the turn
    DONE = "done"      # answered before: here is the answer
    BUSY = "busy"      # someone else is running it right now


@dataclass(frozen=True)
class Claim:
    state: ClaimState
    owner: str = ""
    answer: dict[str, Any] | None = None
    status: int = 200


def check_key(key: object) -> str:
    if not isinstance(key, str) or not key or len(key) > MAX_KEY or not key.isascii() or not key.isprintable():
        raise BadKeyError(f"an idempotency key is 1 to {MAX_KEY} printable ASCII characters")
    return key


def lease_seconds() -> float:
    try:
        return max(1.0, float(os.environ.get(LEASE_ENV, DEFAULT_LEASE_SECONDS)))
    except ValueError:
        return DEFAULT_LEASE_SECONDS


class IdempotencyStore:
    """Claims and answers of idempotency keys, per home."""

    def __init__(self, db: ServiceDB, lease: float | None = None) -> None:
        self._db = db
        self.lease = dt.timedelta(seconds=lease if lease is not None else lease_seconds())

    def claim(self, home: str, key: str) -> Claim:
        """Claim ``key`` for a new turn, or say it was answered or is running elsewhere."""
        import sqlalchemy as sa
        from sqlalchemy.exc import IntegrityError

        check_key(key)
        owner = uuid.uuid4().hex
        t = self._db.keys
        try:
            with self._db.engine.begin() as conn:
                conn.execute(sa.insert(t).values(home=home, key=key, owner=owner, claimed_at=utc_now()))
            return Claim(ClaimState.RUN, owner)
        except IntegrityError:
            pass
        except Exception as error:  # noqa: BLE001
            raise ServiceStoreError(f"could not claim an idempotency key: {error}") from error
        with self._db.begin() as conn:
            row = conn.execute(sa.select(t).where(t.c.home == home, t.c.key == key)).first()
            if row is None:      # released meanwhile: try again from the top
                return self.claim(home, key)
            if row.answer is not None:
                return Claim(ClaimState.DONE, row.owner, json.loads(row.answer), int(row.status))
            if utc_now() - row.claimed_at < self.lease:
                return Claim(ClaimState.BUSY, row.owner)
            taken = conn.execute(sa.update(t).where(t.c.home == home, t.c.key == key, t.c.owner == row.owner,
                                                    t.c.answer.is_(None))
                                 .values(owner=owner, claimed_at=utc_now()))
        return Claim(ClaimState.RUN, owner) if taken.rowcount == 1 else self.claim(home, key)

    def wait(self, home: str, key: str, timeout: float, poll: float = 0.2) -> Claim:
        """Claim, waiting while another holder runs the turn (until done, its lease ends, or
        ``timeout``). Blocking: call it off the event loop."""
        deadline = time.monotonic() + timeout
        while True:
            claim = self.claim(home, key)
            if claim.state is not ClaimState.BUSY or time.monotonic() >= deadline:
                return claim
            time.sleep(poll)

    def complete(self, conn: Any, home: str, key: str, owner: str, answer: dict[str, Any],
                 status: int = 200) -> None:
        """Store the answer inside the caller's transaction; LostClaimError rolls it back."""
        import sqlalchemy as sa

        t = self._db.keys
        result = conn.execute(sa.update(t).where(t.c.home == home, t.c.key == key, t.c.owner == owner,
                                                 t.c.answer.is_(None))
                              .values(answer=json.dumps(answer), status=status))
        if result.rowcount != 1:
            raise LostClaimError(f"idempotency key {key!r} was taken over by another server")

    def finish(self, home: str, key: str, owner: str, answer: dict[str, Any], status: int = 200) -> None:
        """`complete` in a transaction of its own (a turn that changed no state)."""
        with self._db.begin() as conn:
            self.complete(conn, home, key, owner, answer, status)

    def release(self, home: str, key: str, owner: str) -> None:
        """Drop an unanswered claim (the turn failed before anything was applied)."""
        import sqlalchemy as sa

        t = self._db.keys
        with self._db.begin() as conn:
            conn.execute(sa.delete(t).where(t.c.home == home, t.c.key == key, t.c.owner == owner,
                                            t.c.answer.is_(None)))

    def answer(self, home: str, key: str) -> dict[str, Any] | None:
        """The stored answer of a key, or None."""
        import sqlalchemy as sa

        t = self._db.keys
        row = self._db.read(lambda conn: conn.execute(
            sa.select(t.c.answer).where(t.c.home == home, t.c.key == key)).first())
        return None if row is None or row.answer is None else json.loads(row.answer)

    def prune(self) -> int:
        """Forget keys older than a day."""
        import sqlalchemy as sa

        t = self._db.keys
        with self._db.begin() as conn:
            return int(conn.execute(sa.delete(t).where(t.c.claimed_at < utc_now() - KEYS_KEPT)).rowcount or 0)
