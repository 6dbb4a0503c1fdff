"""Rasa's tracker store on PostgreSQL and lock store on Redis, as several servers use them:
real servers (tests/servers.py), a real Runtime, a lock holder that is really killed."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Iterator

import pytest

from assistant.rasa_stores import (
    LOCK_LIFETIME_SECONDS,
    StoreConfigError,
    lock_lifetime,
    lock_store,
    tracker_store_kwargs,
)


def test_tracker_store_arguments_come_from_the_url() -> None:
    assert tracker_store_kwargs("sqlite:////srv/data/tracker.db") == {"dialect": "sqlite", "db": "/srv/data/tracker.db"}
    assert tracker_store_kwargs("postgresql://rasa:s3cret@db.example:5433/conversations?sslmode=require") == {
        "dialect": "postgresql", "host": "db.example", "port": 5433, "db": "conversations",
        "username": "rasa", "password": "s3cret", "query": {"sslmode": "require"}}
    with pytest.raises(StoreConfigError, match="in-memory"):
        tracker_store_kwargs("sqlite://")
    with pytest.raises(StoreConfigError, match="not a database URL"):
        tracker_store_kwargs("not a url")


def test_lock_lifetime_is_ours_and_settable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASSISTANT_LOCK_LIFETIME", raising=False)
    assert lock_lifetime() == LOCK_LIFETIME_SECONDS
    monkeypatch.setenv("ASSISTANT_LOCK_LIFETIME", "3.5")
    assert lock_lifetime() == 3.5
    monkeypatch.setenv("ASSISTANT_LOCK_LIFETIME", "0")
    with pytest.raises(StoreConfigError, match="between"):
        lock_lifetime()


def test_no_lock_url_is_rasas_in_memory_store() -> None:
    from rasa.core.lock_store import InMemoryLockStore

    assert isinstance(lock_store(None), InMemoryLockStore)


def test_a_redis_lock_serializes_one_conversation_across_stores(redis_url: str) -> None:
    """Two stores (two servers) on one Redis: one turn of a conversation at a time."""
    from rasa.core.lock_store import RedisLockStore

    stores = [lock_store(redis_url, lifetime=5), lock_store(redis_url, lifetime=5)]
    assert all(isinstance(s, RedisLockStore) for s in stores)
    inside, most, done = 0, 0, []

    async def turn(i: int) -> None:
        nonlocal inside, most
        async with stores[i % 2].lock("serialized"):
            inside += 1
            most = max(most, inside)
            await asyncio.sleep(0.01)
            done.append(i)
            inside -= 1

    async def all_turns() -> None:
        await asyncio.gather(*(turn(i) for i in range(12)))

    asyncio.run(all_turns())
    assert most == 1 and sorted(done) == list(range(12))
    assert stores[0].red.get(stores[0].key_prefix + "serialized") is None   # nothing left behind


def test_a_live_holder_keeps_the_lock_past_its_lifetime(redis_url: str) -> None:
    store = lock_store(redis_url, lifetime=0.6)

    async def guarded() -> None:
        async with store.lock("long-turn"):
            await asyncio.sleep(1.5)
            other = lock_store(redis_url, lifetime=0.6)
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(_enter(other, "long-turn"), timeout=1.0)

    asyncio.run(guarded())


async def _enter(store, conversation_id: str) -> None:
    async with store.lock(conversation_id):
        pass


HOLDER = textwrap.dedent("""
    import asyncio, sys
    from assistant.rasa_stores import lock_store

    async def hold():
        async with lock_store(sys.argv[1], lifetime=float(sys.argv[2])).lock(sys.argv[3]):
            print("held", flush=True)
            await asyncio.sleep(600)

    asyncio.run(hold())
""")


def test_a_killed_holder_frees_the_conversation_within_the_lifetime(redis_url: str) -> None:
    """A server killed (SIGKILL) while holding a conversation's lock: another server gets it
    no later than the lifetime after the kill, not Rasa's 60 s."""
    lifetime = 1.5
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, redis_url, str(lifetime), "killed-holder"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        time.sleep(lifetime + 0.5)   # alive past its lifetime: it renews and keeps the lock
        waiter = lock_store(redis_url, lifetime=lifetime)
        with pytest.raises(asyncio.TimeoutError):
            asyncio.run(asyncio.wait_for(_enter(waiter, "killed-holder"), timeout=0.5))
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=10)
        killed = time.monotonic()
        asyncio.run(asyncio.wait_for(_enter(waiter, "killed-holder"), timeout=lifetime + 5))
        recovered = time.monotonic() - killed
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait(timeout=10)
    assert recovered <= lifetime + 0.5


def test_check_stores_names_an_unreachable_database_and_redis(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.paths import LOCK_URL_ENV, TRACKER_URL_ENV, DataDir
    from assistant.runtime import RuntimeStartError, check_stores
    from lab.evaluation.local_servers import free_port

    data = DataDir(tmp_path)
    monkeypatch.setenv(TRACKER_URL_ENV, f"postgresql://rasa:hidden@/nowhere?host={tmp_path / 'no-socket'}")
    start = time.monotonic()
    with pytest.raises(RuntimeStartError, match="nowhere.*can't be reached") as caught:
        check_stores(data)
    assert "hidden" not in str(caught.value) and time.monotonic() - start < 10
    monkeypatch.delenv(TRACKER_URL_ENV)
    monkeypatch.setenv(LOCK_URL_ENV, f"redis://127.0.0.1:{free_port()}/0")
    with pytest.raises(RuntimeStartError, match="lock store redis://127.0.0.1.*can't be reached"):
        check_stores(data)
    monkeypatch.setenv(LOCK_URL_ENV, "http://example/")
    with pytest.raises(RuntimeStartError, match="redis://"):
        check_stores(data)


# -- one real Runtime on PostgreSQL and Redis ---------------------------------------------


@pytest.fixture(scope="module")
def scaled(tmp_path_factory: pytest.TempPathFactory, trained_model: Path, postgres_server,
           redis_url: str) -> Iterator[tuple[object, str]]:
    """A Runtime whose every store is on PostgreSQL and whose lock store is Redis, as
    `assistant serve --db URL --redis URL` runs it."""
    from assistant.home import Home
    from assistant.paths import LEARNING_URL_ENV, LOCK_URL_ENV, PREFS_URL_ENV, SERVICE_URL_ENV, TRACKER_URL_ENV
    from assistant.runtime import Runtime

    url = postgres_server.create_database("scaled_runtime")
    with pytest.MonkeyPatch.context() as patch:
        for name in (PREFS_URL_ENV, LEARNING_URL_ENV, SERVICE_URL_ENV, TRACKER_URL_ENV):
            patch.setenv(name, url)
        patch.setenv(LOCK_URL_ENV, redis_url)
        rt = Runtime.start(tmp_path_factory.mktemp("scaled-data"), Home.default(), model_path=trained_model)
        try:
            yield rt, url
        finally:
            rt.close()


def _tracker_senders(url: str) -> dict[str, int]:
    import sqlalchemy as sa

    engine = sa.create_engine(url, future=True)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT sender_id, count(*) FROM events GROUP BY sender_id")).all()
    finally:
        engine.dispose()
    return {str(sender): int(n) for sender, n in rows}


def test_a_turn_on_postgresql_and_redis(scaled) -> None:
    from assistant.learning.log import InteractionLog
    from assistant.prefs.keys import PrefKey
    from assistant.prefs.store import PreferenceStore
    from assistant.rasa_stores import _lock_store_class

    rt, url = scaled
    assert rt.agent.tracker_store._tracker_store.engine.dialect.name == "postgresql"   # in Rasa's FailSafeTrackerStore
    assert isinstance(rt.agent.lock_store, _lock_store_class())
    result = rt.handle("turn on the kitchen light", user_id="pg_alice", device_id="kitchen_speaker")
    assert result.applied == ["turn_on kitchen_light"], result
    assert rt.home.devices["kitchen_light"].state["power"] == "on"
    stated = rt.handle("I love jazz", user_id="pg_alice", device_id="kitchen_speaker")
    assert stated.replies, stated
    # the tracker, the log and the action server's preference write are all on PostgreSQL
    assert _tracker_senders(url).get(rt.sender_id("pg_alice"), 0) >= 4
    with InteractionLog.open(url) as log:
        assert [t.text for t in log.turns(user_id="pg_alice")] == ["turn on the kitchen light", "I love jazz"]
    with PreferenceStore.open(url) as prefs:
        assert "jazz" in prefs.liked("pg_alice", PrefKey.MUSIC_GENRE)
    store = rt.agent.lock_store
    assert store.red.keys(store.key_prefix + "*") == []   # every lock returned


def test_the_runtime_waits_for_a_dead_servers_lock(scaled, redis_url: str) -> None:
    """`Agent.handle_message` really takes the Redis lock: a ticket left by a "dead" server
    (issued, never returned) holds the turn back until it lapses, then the turn is played."""
    rt, _url = scaled
    lapse = 2.0
    dead = lock_store(redis_url, lifetime=lapse)
    dead.issue_ticket(rt.sender_id("pg_bob"), lapse)
    start = time.monotonic()
    result = rt.handle("what time is it", user_id="pg_bob", device_id="kitchen_speaker")
    waited = time.monotonic() - start
    assert result.replies and lapse - 0.5 <= waited <= lapse + 8, waited


def test_a_database_that_goes_away_fails_the_turn_loudly(scaled, postgres_server) -> None:
    """Rasa's FailSafeTrackerStore would start the conversation afresh, or keep it in this
    process's memory only; ours raises (the service answers 503). Last in this module: the
    runtime's database is dropped."""
    import sqlalchemy as sa
    from rasa.shared.core.trackers import DialogueStateTracker

    from assistant.rasa_stores import TrackerStoreError

    rt, _url = scaled
    engine = sa.create_engine(postgres_server.url, future=True, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text('DROP DATABASE "scaled_runtime" WITH (FORCE)'))
    finally:
        engine.dispose()
    with pytest.raises(TrackerStoreError):
        rt._run(rt.agent.tracker_store.retrieve(rt.sender_id("pg_alice")))
    with pytest.raises(TrackerStoreError):
        rt._run(rt.agent.tracker_store.save(DialogueStateTracker("pg_carol", [])))
