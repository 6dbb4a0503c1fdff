"""Rasa's tracker store and lock store, built from our URLs (`DataDir.tracker_url`, `lock_url`).

Several servers share conversations through Rasa's `SQLTrackerStore` on one database and
Rasa's `RedisLockStore` on one Redis. The lock store here is Rasa's, with two changes:
- a ticket's lifetime of our choosing (`LOCK_LIFETIME_SECONDS`; Rasa's default is 60 s and
  is read from the environment when Rasa is imported), renewed while its holder lives (and
  while a waiter waits): a server killed while holding a conversation's lock blocks that
  conversation for at most the lifetime, however long live turns take;
- each read-modify-write of a lock is one Redis transaction (WATCH/MULTI), so two servers
  issuing or returning tickets for one conversation at the same moment can't overwrite each
  other's ticket (Rasa's own get-then-set can), and the key expires with its last ticket.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import math
import os
import time
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, AsyncGenerator, Callable

if TYPE_CHECKING:
    from rasa.core.lock_store import LockStore
    from rasa.core.tracker_store import SQLTrackerStore

# How long a dead server's ticket blocks its conversation. A live holder renews its ticket
# (every lifetime / RENEWALS_PER_LIFETIME), so a slow turn never loses the lock; the
# lifetime only has to outlast a stalled event loop between two renewals.
LOCK_LIFETIME_SECONDS = 10.0
LOCK_LIFETIME_ENV = "ASSISTANT_LOCK_LIFETIME"
# How often a waiting turn looks at the lock again (Rasa waits 1 s between looks).
LOCK_WAIT_SECONDS = 0.05
# A live holder renews its ticket this many times per lifetime.
RENEWALS_PER_LIFETIME = 4
logger = logging.getLogger(__name__)
REDIS_TIMEOUT_SECONDS = 5.0


class StoreConfigError(ValueError):
    """A tracker or lock store URL that can't be used; the message says why."""


def lock_lifetime() -> float:
    """$ASSISTANT_LOCK_LIFETIME (seconds) when set, else LOCK_LIFETIME_SECONDS."""
    raw = os.environ.get(LOCK_LIFETIME_ENV, "").strip()
    if not raw:
        return LOCK_LIFETIME_SECONDS
    try:
        value = float(raw)
    except ValueError:
        raise StoreConfigError(f"{LOCK_LIFETIME_ENV}={raw!r} is not a number of seconds") from None
    if not 0.5 <= value <= 3600:
        raise StoreConfigError(f"{LOCK_LIFETIME_ENV} must be between 0.5 and 3600 seconds, not {raw}")
    return value


def tracker_store_kwargs(url: str) -> dict[str, Any]:
    """`SQLTrackerStore`'s keyword arguments for a SQLAlchemy URL (sqlite or postgresql)."""
    import sqlalchemy as sa

    try:
        parsed = sa.engine.make_url(url)
    except Exception as error:  # noqa: BLE001 - SQLAlchemy raises ArgumentError and friends
        raise StoreConfigError(f"not a database URL: {url!r} ({error})") from error
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise StoreConfigError("the tracker store needs a SQLite file, not an in-memory database")
        return {"dialect": "sqlite", "db": parsed.database}
    return {"dialect": parsed.drivername, "host": parsed.host, "port": parsed.port,
            "db": parsed.database, "username": parsed.username, "password": parsed.password,
            "query": dict(parsed.query) or None}


def tracker_store(url: str) -> "SQLTrackerStore":
    """Rasa's `SQLTrackerStore` on ``url`` (check it is reachable first: Rasa retries an
    unreachable database every 5 s, forever)."""
    from rasa.core.tracker_store import SQLTrackerStore

    return SQLTrackerStore(**tracker_store_kwargs(url))


class TrackerStoreError(RuntimeError):
    """The tracker store failed to read or save a conversation (the database is down)."""


def _raise_tracker_error(error: Exception) -> None:
    raise TrackerStoreError(f"the tracker store failed: {error}") from error


def fail_loudly(agent: Any) -> None:
    """Make the agent's tracker store raise `TrackerStoreError` on a failure. Rasa wraps every
    tracker store in a `FailSafeTrackerStore` that, on a failure, starts the conversation
    afresh (a read) or keeps it in this process's memory only (a save): with several servers
    that silently forgets or forks conversations; a failed turn is better."""
    store = agent.tracker_store
    if hasattr(store, "_on_tracker_store_error"):
        store._on_tracker_store_error = _raise_tracker_error


def redis_client(url: str, timeout: float = REDIS_TIMEOUT_SECONDS) -> Any:
    """A redis client for a ``redis://``, ``rediss://`` or ``unix://`` URL."""
    import redis

    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise StoreConfigError(f"the lock store needs a redis://, rediss:// or unix:// URL, not {url!r}")
    return redis.StrictRedis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)


def lock_store(url: str | None, lifetime: float | None = None) -> "LockStore":
    """Rasa's `RedisLockStore` (as `ExpiringRedisLockStore`) on ``url``, or Rasa's
    `InMemoryLockStore` when ``url`` is None (one process)."""
    if not url:
        from rasa.core.lock_store import InMemoryLockStore

        return InMemoryLockStore()
    return _lock_store_class()(url, lifetime=lock_lifetime() if lifetime is None else lifetime)


def check_lock_store(url: str) -> None:
    """Raise StoreConfigError when Redis at ``url`` does not answer a PING."""
    client = redis_client(url)
    try:
        client.ping()
    except Exception as error:  # noqa: BLE001 - redis raises several kinds
        raise StoreConfigError(f"the lock store {_safe_redis(url)} can't be reached ({error}); "
                               "start Redis, or fix the URL") from error
    finally:
        client.close()


def _safe_redis(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.rpartition('@')[2]}"


@functools.lru_cache(maxsize=None)
def _lock_store_class() -> type:
    """`ExpiringRedisLockStore`, built on Rasa's class on first use (Rasa is imported then)."""
    from rasa.core.lock import TicketLock
    from rasa.core.lock_store import LockError, RedisLockStore

    class ExpiringRedisLockStore(RedisLockStore):
        """Rasa's RedisLockStore with our ticket lifetime and atomic updates (module docstring)."""

        def __init__(self, url: str, lifetime: float = LOCK_LIFETIME_SECONDS,
                     key_prefix: str | None = None) -> None:
            super().__init__(key_prefix=key_prefix)
            # Rasa's constructor takes a host and port only; from_url also takes a unix socket.
            self.red = redis_client(url)
            self.url = url
            self.lifetime = float(lifetime)

        @asynccontextmanager
        async def lock(self, conversation_id: str, lock_lifetime: float | None = None,
                       wait_time_in_seconds: float = LOCK_WAIT_SECONDS) -> AsyncGenerator["TicketLock", None]:
            # Agent.handle_message passes neither: Rasa's defaults would be 60 s and 1 s.
            lifetime = self.lifetime if lock_lifetime is None else float(lock_lifetime)
            ticket = self.issue_ticket(conversation_id, lifetime)
            renewing: asyncio.Task | None = None
            try:
                held = await self._wait_for_turn(conversation_id, ticket, lifetime, wait_time_in_seconds)
                renewing = asyncio.create_task(self._keep_alive(conversation_id, ticket, lifetime))
                yield held
            finally:
                if renewing is not None:
                    renewing.cancel()
                self.cleanup(conversation_id, ticket)

        def renew(self, conversation_id: str, ticket_number: int, lifetime: float) -> Any:
            """Push a live ticket's expiry to now + lifetime; the lock, or None when the
            ticket is gone (it expired: this process stalled longer than the lifetime)."""
            def push(lock: Any) -> Any:
                for ticket in lock.tickets:
                    # an expired ticket stays expired: another server may already be serving
                    if ticket.number == ticket_number and not ticket.has_expired():
                        ticket.expires = time.time() + lifetime
                        return lock
                return None

            return self._atomic(conversation_id, push)

        async def _wait_for_turn(self, conversation_id: str, ticket: int, lifetime: float,
                                 wait: float) -> "TicketLock":
            # Rasa's own wait lets a waiting ticket expire as it waits: behind a dead holder,
            # a waiter issued moments after it would expire with it and fail. A live waiter
            # renews its ticket; a dead one stops renewing and its ticket lapses.
            while True:
                lock = self.renew(conversation_id, ticket, lifetime)
                if lock is None:
                    raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
                if not lock.is_locked(ticket):
                    return lock
                await asyncio.sleep(wait)

        async def _keep_alive(self, conversation_id: str, ticket: int, lifetime: float) -> None:
            # A turn that runs longer than the lifetime keeps its lock; a server that dies
            # stops renewing, and its conversation is free `lifetime` seconds later at most.
            while True:
                await asyncio.sleep(lifetime / RENEWALS_PER_LIFETIME)
                try:
                    self.renew(conversation_id, ticket, lifetime)
                except Exception:  # noqa: BLE001 - Redis away for a moment: the next try may work
                    logger.debug("could not renew the lock of %s", conversation_id, exc_info=True)

        def _atomic(self, conversation_id: str, change: Callable[[Any], Any], create: bool = False) -> Any:
            """``change(lock)`` and save what it leaves, as one Redis transaction (WATCH/MULTI,
            retried when another server changed the lock meanwhile): a lock that still has
            tickets is saved to expire with its last ticket, an empty one is deleted."""
            key = self.key_prefix + conversation_id
            outcome: dict[str, Any] = {}

            def transaction(pipe: Any) -> None:
                raw = pipe.get(key)
                lock = TicketLock.from_dict(json.loads(raw)) if raw else None
                if lock is None and create:
                    lock = TicketLock(conversation_id)
                outcome["value"] = None if lock is None else change(lock)
                pipe.multi()
                if lock is None:
                    return
                lock.remove_expired_tickets()
                if lock.tickets:
                    ttl = max(ticket.expires for ticket in lock.tickets) - time.time()
                    pipe.set(key, lock.dumps(), px=max(1, math.ceil(ttl * 1000)))
                else:
                    pipe.delete(key)

            self.red.transaction(transaction, key)
            return outcome.get("value")

        def issue_ticket(self, conversation_id: str, lock_lifetime: float | None = None) -> int:
            lifetime = self.lifetime if lock_lifetime is None else float(lock_lifetime)
            try:
                return int(self._atomic(conversation_id, lambda lock: lock.issue_ticket(lifetime), create=True))
            except Exception as error:  # noqa: BLE001 - as Rasa: one error type for callers
                raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

        def update_lock(self, conversation_id: str) -> None:
            self._atomic(conversation_id, lambda lock: None)   # expired tickets go

        def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
            self._atomic(conversation_id, lambda lock: lock.remove_ticket_for(ticket_number))

        def cleanup(self, conversation_id: str, ticket_number: int) -> None:
            # One transaction: Rasa's finish-then-delete can delete a ticket issued in between.
            self.finish_serving(conversation_id, ticket_number)

    return ExpiringRedisLockStore
