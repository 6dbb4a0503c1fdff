"""The caching SQL tracker store: a kept tracker is reused only while the database agrees
(real SQLite files, two stores standing for two servers)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from assistant.tracker_cache import caching_tracker_store


def _domain() -> Any:
    from rasa.shared.core.domain import Domain

    return Domain.from_yaml("""
version: "3.1"
intents: [greet]
slots:
  room:
    type: text
    mappings: [{type: custom}]
""")


def _store(path: Path) -> Any:
    store = caching_tracker_store(f"sqlite:///{path}")
    store.domain = _domain()
    return store


def _say(tracker: Any, text: str) -> None:
    from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered

    tracker.update(UserUttered(text, {"name": "greet", "confidence": 1.0}))
    tracker.update(SlotSet("room", text))
    tracker.update(ActionExecuted("action_listen"))


def test_a_saved_tracker_is_handed_back_while_no_one_else_wrote(tmp_path: Path) -> None:
    store = _store(tmp_path / "tracker.db")

    async def play() -> None:
        tracker = await store.get_or_create_tracker("u1")
        _say(tracker, "kitchen")
        await store.save(tracker)
        assert store.peek("u1") is tracker
        again = await store.retrieve("u1")
        assert again is tracker and store.hits == 1
        # handed over: a turn that fails before saving leaves nothing kept behind
        assert store.peek("u1") is None
        replayed = await store.retrieve("u1")
        assert replayed is not tracker and store.misses >= 1
        assert [e.as_dict() for e in replayed.events] == [e.as_dict() for e in tracker.events]

    asyncio.run(play())


def test_a_conversation_another_server_wrote_is_read_again(tmp_path: Path) -> None:
    one, two = _store(tmp_path / "tracker.db"), _store(tmp_path / "tracker.db")

    async def play() -> None:
        tracker = await one.get_or_create_tracker("u1")
        _say(tracker, "kitchen")
        await one.save(tracker)
        theirs = await two.retrieve("u1")
        _say(theirs, "office")
        await two.save(theirs)
        mine = await one.retrieve("u1")
        assert mine is not tracker
        assert mine.get_slot("room") == "office"
        assert len(mine.events) == len(theirs.events)

    asyncio.run(play())


def test_a_deleted_conversation_is_not_served_from_memory(tmp_path: Path) -> None:
    path = tmp_path / "tracker.db"
    store = _store(path)

    async def save() -> None:
        tracker = await store.get_or_create_tracker("u1")
        _say(tracker, "kitchen")
        await store.save(tracker)

    asyncio.run(save())
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM events WHERE sender_id = 'u1'"))
    assert asyncio.run(store.retrieve("u1")) is None


def test_a_save_stores_the_events_rasa_would_across_sessions(tmp_path: Path) -> None:
    """The unordered count of stored events gives the events Rasa's ordered one gives, before and
    after each save, in the first session and after later sessions start."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.events import ActionExecuted, SessionStarted

    store = _store(tmp_path / "tracker.db")

    def same_as_rasa(tracker: Any) -> list:
        with store.session_scope() as db:
            ours = [e.as_dict() for e in store._additional_events(db, tracker)]
            rasas = [e.as_dict() for e in SQLTrackerStore._additional_events(store, db, tracker)]
        assert ours == rasas
        return ours

    async def play() -> None:
        tracker = await store.get_or_create_tracker("u1")
        for session in range(3):
            if session:
                tracker.update(ActionExecuted("action_session_start"))
                tracker.update(SessionStarted())
                tracker.update(ActionExecuted("action_listen"))
            for turn in range(4):
                _say(tracker, f"room {session}-{turn}")
                assert same_as_rasa(tracker)
                await store.save(tracker)
                same_as_rasa(tracker)
            if session == 0:    # one session: every event stored once, none left over
                assert same_as_rasa(tracker) == []
                with store.session_scope() as db:
                    assert db.query(store.SQLEvent).count() == len(tracker.events)

    asyncio.run(play())


def test_a_kept_tracker_stores_each_event_once_across_sessions(tmp_path: Path) -> None:
    """A kept tracker holds the events that open its session (stored before the session's start)
    and earlier sessions: each save stores only what the turn added. Counted Rasa's way, the
    second save stored two events again, and every save after a second session began more."""
    from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet

    store = _store(tmp_path / "tracker.db")

    def start_session(tracker: Any) -> None:
        tracker.update(SlotSet("room", None))
        tracker.update(ActionExecuted("action_session_start"))
        tracker.update(SessionStarted())
        tracker.update(ActionExecuted("action_listen"))

    async def play() -> None:
        tracker = await store.get_or_create_tracker("u1")
        for session in range(2):
            start_session(tracker)
            for turn in range(3):
                _say(tracker, f"room {session}-{turn}")
                await store.save(tracker)
                assert await store.retrieve("u1") is tracker      # the kept one, handed over
                with store.session_scope() as db:
                    stored = [row.type_name for row in db.query(store.SQLEvent).order_by(store.SQLEvent.id)]
                assert stored == [event.type_name for event in tracker.events]
        assert store.hits == 6

    asyncio.run(play())
