"""The home registry: each home's layout and device state as one row with a version.

Every write is a compare-and-set on the version, so two servers changing the same home
can't lose an update: the loser re-reads the home and re-applies its change (`update`).
Events (alarms, timers, state changes) are stored in the same transaction as the state.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from typing import TYPE_CHECKING, Any, Callable, Iterable, TypeVar

from assistant.service.ids import check_home
from assistant.service.tables import Conflict, ServiceDB, ServiceStoreError, utc_now

if TYPE_CHECKING:
    from assistant.home import Home

T = TypeVar("T")
MAX_RETRIES = 20
EVENTS_KEPT = dt.timedelta(days=1)


class UnknownHomeError(LookupError):
    """No home of that name is registered."""


class VersionConflict(Conflict):
    """The home changed since it was read (another turn, server or tick wrote first)."""


def local_now() -> dt.datetime:
    """The real clock the served homes follow: the machine's local time, naive, to the second."""
    return dt.datetime.now().replace(microsecond=0)


class HomeStore:
    """Homes in the service database."""

    def __init__(self, db: ServiceDB, now: Callable[[], dt.datetime] = local_now) -> None:
        self._db = db
        self._now = now

    # -- reads -------------------------------------------------------------------------

    def names(self) -> list[str]:
        import sqlalchemy as sa

        t = self._db.homes
        names: list[str] = self._db.read(
            lambda conn: list(conn.execute(sa.select(t.c.name).order_by(t.c.name)).scalars()))
        return names

    def now(self) -> dt.datetime:
        """The real clock the homes follow."""
        return self._now()

    def load(self, name: str) -> tuple["Home", int]:
        """The home and its version. Raises UnknownHomeError, ServiceStoreError."""
        import sqlalchemy as sa

        from assistant.home import Home

        t = self._db.homes
        row = self._db.read(lambda conn: conn.execute(
            sa.select(t.c.snapshot, t.c.version).where(t.c.name == name)).first())
        if row is None:
            raise UnknownHomeError(f"no home {name!r} is registered")
        return Home.from_snapshot(json.loads(row.snapshot)), int(row.version)

    # -- writes ------------------------------------------------------------------------

    def register(self, home: "Home", name: str | None = None) -> tuple["Home", bool]:
        """Register a home under ``name`` (default: its own name) with its clock set to the real
        clock. A home that is already registered keeps its stored state; (home, created)."""
        import sqlalchemy as sa

        key = check_home(name or home.name)
        try:
            return self.load(key)[0], False
        except UnknownHomeError:
            pass
        home.name = key
        home.clock.now = self._now()
        try:
            with self._db.begin() as conn:
                conn.execute(sa.insert(self._db.homes).values(
                    name=key, snapshot=json.dumps(home.snapshot()), version=1, updated_at=utc_now()))
        except ServiceStoreError:
            # Another server registered it meanwhile: theirs stands.
            return self.load(key)[0], False
        return home, True

    def save(self, name: str, home: "Home", version: int, *, events: Iterable[dict[str, Any]] = (),
             also: Callable[[Any], None] | None = None) -> int:
        """Write the home if it is still at ``version``; its new version. ``events`` and
        ``also(connection)`` go in the same transaction. Raises VersionConflict."""
        import sqlalchemy as sa

        t = self._db.homes
        with self._db.begin() as conn:
            result = conn.execute(sa.update(t).where(t.c.name == name, t.c.version == version)
                                  .values(snapshot=json.dumps(home.snapshot()), version=version + 1,
                                          updated_at=utc_now()))
            if result.rowcount != 1:
                raise VersionConflict(f"home {name!r} changed since version {version}")
            self._append(conn, name, events)
            if also is not None:
                also(conn)
        return version + 1

    def update(self, name: str, change: Callable[["Home"], T], *,
               events: Callable[["Home", T], Iterable[dict[str, Any]]] | None = None,
               also: Callable[[Any, T], None] | None = None) -> tuple[T, "Home", int]:
        """Read the home, ``change`` it, write it; on a version conflict read again and change
        again. (what change returned, the home, its new version)."""
        for _ in range(MAX_RETRIES):
            home, version = self.load(name)
            outcome = change(home)
            extra: Callable[[Any], None] | None = None
            if also is not None:
                extra = functools.partial(_call_with, also, outcome)
            try:
                new_version = self.save(name, home, version,
                                        events=events(home, outcome) if events is not None else (), also=extra)
            except VersionConflict:
                continue
            return outcome, home, new_version
        raise ServiceStoreError(f"home {name!r} kept changing; gave up after {MAX_RETRIES} tries")

    # -- events ------------------------------------------------------------------------

    def _append(self, conn: Any, name: str, events: Iterable[dict[str, Any]]) -> None:
        import sqlalchemy as sa

        rows = [{"home": name, "at": utc_now(), "body": json.dumps(e)} for e in events]
        if rows:
            conn.execute(sa.insert(self._db.events), rows)

    def events_since(self, name: str, after: int = 0, limit: int = 100) -> list[tuple[int, dict[str, Any]]]:
        """The home's events after id ``after``, oldest first: (id, event)."""
        import sqlalchemy as sa

        t = self._db.events
        query = sa.select(t.c.id, t.c.body).where(t.c.home == name, t.c.id > after).order_by(t.c.id).limit(limit)
        rows = self._db.read(lambda conn: conn.execute(query).all())
        return [(int(r.id), json.loads(r.body)) for r in rows]

    def last_event_id(self, name: str) -> int:
        import sqlalchemy as sa

        t = self._db.events
        return int(self._db.read(lambda conn: conn.execute(
            sa.select(sa.func.max(t.c.id)).where(t.c.home == name)).scalar()) or 0)

    def prune_events(self) -> int:
        """Forget events older than a day; how many went."""
        import sqlalchemy as sa

        t = self._db.events
        with self._db.begin() as conn:
            return int(conn.execute(sa.delete(t).where(t.c.at < utc_now() - EVENTS_KEPT)).rowcount or 0)


def _call_with(also: Callable[[Any, Any], None], outcome: Any, conn: Any) -> None:
    also(conn, outcome)


def changed_states(before: dict[str, dict[str, Any]], home: "Home") -> dict[str, dict[str, Any]]:
    """Devices whose state differs from ``before`` (device id -> state): their new states."""
    return {d.id: d.state for d in home.devices.values() if before.get(d.id) != d.state}


def states(home: "Home") -> dict[str, dict[str, Any]]:
    """Every device's state, deep-copied (to compare after a change)."""
    import copy

    return {d.id: copy.deepcopy(d.state) for d in home.devices.values()}


def state_events(changed: dict[str, dict[str, Any]], source: str, at: dt.datetime) -> list[dict[str, Any]]:
    """A ``state_changed`` event per changed device."""
    stamp = at.isoformat(timespec="seconds")
    return [{"kind": "state_changed", "device_id": device, "at": stamp, "source": source, "state": state}
            for device, state in changed.items()]
