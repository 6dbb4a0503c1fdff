"""Rasa's SQL tracker store, keeping the trackers it saved so a turn does not rebuild them.

Rasa's `SQLTrackerStore.retrieve` reads every event of the conversation's session and replays
them into a new tracker at the start of every turn: a turn late in a long conversation costs
more than the first. `CachingSQLTrackerStore` keeps the tracker it last saved for each
conversation, with the id of the conversation's last stored event and their number. On the next `retrieve` it
asks the database for both (one indexed query): when they are unchanged, nothing was written
since (no other server, no deletion) and the kept tracker is handed over as it is; otherwise
the conversation is read and replayed as Rasa does. The database stays the only truth.
A SQLite file is put in WAL mode, as the project's other SQLite stores are, and its
connections are kept open between sessions (SQLAlchemy 1.4 opens one per session).

A kept tracker is handed to one turn (removed from the cache): a turn that fails before
saving leaves nothing behind, and the next turn reads the database. `peek` gives the tracker
this process just saved (read-only) to whoever reads the turn's outcome.

Saving a handed-over tracker stores the events past those it held when it was saved: Rasa's
save takes the events past the number stored since the session's start, which assumes the
tracker holds only that session's events, as one Rasa read back does. A kept tracker also holds
what came before: the events that open a session, and earlier sessions. Counted Rasa's way, a
save stored some of them again (2 events in a first session, dozens after a second one began).
"""

from __future__ import annotations

import functools
import itertools
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rasa.shared.core.trackers import DialogueStateTracker

# Conversations whose trackers a process keeps (least recently saved go first).
CACHE_SIZE = 512


@functools.lru_cache(maxsize=None)
def caching_store_class() -> type:
    """`CachingSQLTrackerStore`, built on Rasa's class on first use (Rasa is imported then)."""
    import sqlalchemy as sa
    from rasa.core.tracker_store import SQLTrackerStore

    class CachingSQLTrackerStore(SQLTrackerStore):
        """Rasa's SQLTrackerStore that reuses the tracker it saved (module docstring)."""

        engine: Any

        def __init__(self, *args: Any, cache_size: int = CACHE_SIZE, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            if self.engine.dialect.name == "sqlite":
                self._pool_sqlite()
            self._kept: OrderedDict[str, tuple[tuple[int, int], Any, "DialogueStateTracker", int]] = OrderedDict()
            # Trackers handed to a turn, with how many of their events were stored.
            self._handed: dict[str, tuple["DialogueStateTracker", int]] = {}
            self._cache_size = cache_size
            self.hits = 0
            self.misses = 0

        def _pool_sqlite(self) -> None:
            """Keep connections to the SQLite file open between sessions (SQLAlchemy 1.4 opens
            and closes one per session), in WAL mode as the project's other stores."""
            from sqlalchemy.pool import QueuePool

            url = self.engine.url
            self.engine.dispose()
            self.engine = sa.create_engine(url, poolclass=QueuePool, pool_size=2,
                                           connect_args={"check_same_thread": False})
            _use_wal(self.engine)
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

        def _last_event_id(self, sender_id: str) -> tuple[int, int] | None:
            """The conversation's last stored event id and its number of events (None: none)."""
            with self.session_scope() as session:
                last, count = session.query(sa.func.max(self.SQLEvent.id), sa.func.count(self.SQLEvent.id)).filter(
                    self.SQLEvent.sender_id == sender_id).one()
            return None if last is None else (int(last), int(count))

        async def retrieve(self, sender_id: str) -> "DialogueStateTracker | None":
            kept = self._kept.pop(sender_id, None)
            # The same domain (a reloaded model builds a new store, but be sure) and no event
            # stored since this process saved it.
            self._handed.pop(sender_id, None)
            if kept is not None and kept[1] is self.domain and self._last_event_id(sender_id) == kept[0]:
                self.hits += 1
                self._handed[sender_id] = (kept[2], kept[3])
                return kept[2]
            self.misses += 1
            return await super().retrieve(sender_id)

        def _additional_events(self, session: Any, tracker: "DialogueStateTracker") -> Any:
            """The events of a handed-over tracker past those it held when it was saved;
            otherwise Rasa's: the tracker's events past those stored for its latest session
            (a tracker read back holds only those). Rasa counts
            them with `Query.count()`, which wraps its ordered query of whole rows in a subquery
            that SQLite writes out (every event's JSON) on every save: a save cost as much as
            the session, 685 MB written per 300 turns of the fuzzer's long texts. The same rows
            are counted here by their ids, unordered."""
            handed = self._handed.get(tracker.sender_id)
            if handed is not None and handed[0] is tracker:
                return itertools.islice(tracker.events, handed[1], len(tracker.events))
            stored = (self._event_query(session, tracker.sender_id, fetch_events_from_all_sessions=False)
                      .order_by(None).with_entities(sa.func.count(self.SQLEvent.id)).scalar())
            return itertools.islice(tracker.events, int(stored or 0), len(tracker.events))

        async def save(self, tracker: "DialogueStateTracker") -> None:
            self._kept.pop(tracker.sender_id, None)
            try:
                await super().save(tracker)
            finally:
                self._handed.pop(tracker.sender_id, None)
            # Rasa's lock on the conversation is held by whoever saves it: no one else
            # writes this conversation between the save and this read.
            last = self._last_event_id(tracker.sender_id)
            if last is None:
                return
            self._kept[tracker.sender_id] = (last, self.domain, tracker, len(tracker.events))
            while len(self._kept) > self._cache_size:
                self._kept.popitem(last=False)

        def peek(self, sender_id: str) -> "DialogueStateTracker | None":
            """The tracker this process last saved for the conversation (read it, don't change
            it), or None."""
            kept = self._kept.get(sender_id)
            return None if kept is None else kept[2]

        def forget(self, sender_id: str | None = None) -> None:
            """Drop the kept tracker of one conversation (None: of all)."""
            if sender_id is None:
                self._kept.clear()
                self._handed.clear()
            else:
                self._kept.pop(sender_id, None)
                self._handed.pop(sender_id, None)

    return CachingSQLTrackerStore


def _use_wal(engine: Any) -> None:
    """The tracker's SQLite file in WAL mode with a busy timeout, as the project's other
    SQLite stores (`assistant.db`): a commit appends to the log instead of rewriting a
    journal, and a reader never blocks a writer. The mode is kept in the file."""
    import sqlalchemy as sa

    from assistant.db import _sqlite_pragmas

    sa.event.listen(engine, "connect", _sqlite_pragmas)


def caching_tracker_store(url: str) -> Any:
    """A `CachingSQLTrackerStore` on ``url`` (SQLite file or PostgreSQL; see
    `assistant.rasa_stores.tracker_store`)."""
    from assistant.rasa_stores import tracker_store_kwargs

    return caching_store_class()(**tracker_store_kwargs(url))
