"""Time moves by itself: each home's clock follows the real clock, alarms and timers fire.

Every second the ticker catches each home up. It writes only when something fired (or the
stored clock is a minute behind), with the usual version check: a home another server ticked
or changed meanwhile is left for the next tick, so every event is stored exactly once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import TYPE_CHECKING, Callable

from assistant.service.homes import (
    HomeStore,
    VersionConflict,
    changed_states,
    local_now,
    state_events,
    states,
)
from assistant.service.ids import client_user
from assistant.service.turns import catch_up

if TYPE_CHECKING:
    from assistant.service.state import ServiceState

logger = logging.getLogger(__name__)
TICK_SECONDS = 1.0
WRITE_BEHIND = dt.timedelta(seconds=60)
PRUNE_EVERY = 600


def tick(homes: HomeStore, users: Callable[[], list[str]] | None = None,
         now: Callable[[], dt.datetime] = local_now) -> int:
    """Catch every home up once; how many events fired."""
    fired_total = 0
    for name in homes.names():
        try:
            fired_total += _tick_home(homes, name, users, now())
        except VersionConflict:
            continue   # someone else wrote it: the next tick catches it up
    return fired_total


def _tick_home(homes: HomeStore, name: str, users: Callable[[], list[str]] | None, moment: dt.datetime) -> int:
    home, version = homes.load(name)
    since = home.clock.now
    before = states(home)
    fired = catch_up(home, moment)
    if not fired and moment - since < WRITE_BEHIND:
        return 0
    if fired and users is not None:
        _automations(home, name, users, since)
    changed = changed_states(before, home)
    homes.save(name, home, version, events=fired + state_events(changed, "clock", home.clock.now))
    return len(fired)


def _automations(home: object, name: str, users: Callable[[], list[str]], since: dt.datetime) -> None:
    """What the home does by itself for its own users (the coffee after the alarm)."""
    from assistant.habits.routines import due_automations

    try:
        mine = [u for u in users() if client_user(name, u) is not None]
        for directive in due_automations(home, mine, since):
            home.apply(directive)  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - an automation never stops the clock
        logger.warning("automations of home %s failed", name, exc_info=True)


async def run(state: "ServiceState") -> None:
    """The background task: tick forever (until cancelled)."""
    users = None
    if state.runtime is not None:
        users = state.runtime.preferences.users
    ticks = 0
    while True:
        try:
            await state.in_pool(tick, state.homes, users)
            ticks += 1
            if ticks % PRUNE_EVERY == 0:
                await state.in_pool(state.homes.prune_events)
                await state.in_pool(state.keys.prune)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - a store that is down: try again next second
            logger.warning("clock tick failed: %s", error)
        await asyncio.sleep(TICK_SECONDS)
