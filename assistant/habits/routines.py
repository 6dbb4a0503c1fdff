"""Routines: recurring "A, then within minutes B" sequences in one user's activity.

The activity timeline of a user is the home's events they lived through (an alarm rang; taken
from the context snapshots the interaction log keeps) and the directives their requests had
applied ("brew coffee_maker"). A pair A -> B is a routine when B followed A within the window
at least ``min_support`` times and after at least ``min_confidence`` of A's occurrences.
Mining only finds routines; nothing runs one unasked.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from assistant.learning.log import TurnRecord

EVENT_PREFIX = "event:"
ALARM = EVENT_PREFIX + "alarm_rang"


@dataclass(frozen=True)
class Activity:
    """One thing that happened: a home event (``event:alarm_rang``) or an applied directive
    with its device ("brew coffee_maker"; values are dropped: "set_brightness living_room_light")."""

    user_id: str
    at: dt.datetime
    item: str


@dataclass(frozen=True)
class RoutineConfig:
    window_minutes: float = 20.0
    min_support: int = 3
    min_confidence: float = 0.6


@dataclass(frozen=True)
class Routine:
    """``then`` follows ``first`` for this user: ``support`` times, after ``confidence`` of the
    occurrences of ``first``, typically ``delay_minutes`` later."""

    user_id: str
    first: str
    then: str
    support: int
    confidence: float
    delay_minutes: float

    def describe(self) -> str:
        return f"{_words(self.first)}, then within minutes {_words(self.then)}"


def _words(item: str) -> str:
    if item.startswith(EVENT_PREFIX):
        return {"alarm_rang": "the alarm rings", "timer_done": "a timer finishes",
                "oven_preheated": "the oven is hot"}.get(item[len(EVENT_PREFIX):], item)
    verb, _, device = item.partition(" ")
    return f"{verb.replace('_', ' ')} the {device.replace('_', ' ')}"


def item_of(directive: str) -> str:
    """The timeline item of a directive: verb and device, without the value."""
    parts = directive.split(" ")
    return " ".join(parts[:2])


def timeline(turns: Iterable["TurnRecord"]) -> list[Activity]:
    """Each user's activity from logged turns, in time order (events seen by several of the
    user's turns counted once)."""
    seen: set[tuple[str, str, str, str]] = set()
    out: list[Activity] = []
    for turn in turns:
        for event in (turn.context or {}).get("recent_events") or []:
            if not isinstance(event, dict) or "at" not in event or "kind" not in event:
                continue
            key = (turn.user_id, str(event["at"]), str(event["kind"]), str(event.get("device_id")))
            if key in seen:
                continue
            seen.add(key)
            try:
                at = dt.datetime.fromisoformat(str(event["at"]))
            except ValueError:
                continue
            out.append(Activity(turn.user_id, at, EVENT_PREFIX + str(event["kind"])))
        refused = {r[0] for r in (turn.refused or []) if r}
        for directive in turn.directives or []:
            if directive not in refused:
                out.append(Activity(turn.user_id, turn.timestamp, item_of(directive)))
    out.sort(key=lambda a: (a.user_id, a.at))
    return out


def mine(activity: Iterable[Activity], config: RoutineConfig = RoutineConfig()) -> list[Routine]:
    """Routines per user, strongest first. Each occurrence of A counts once per B that follows
    it within the window (so a long morning does not count twice)."""
    by_user: dict[str, list[Activity]] = defaultdict(list)
    for a in activity:
        by_user[a.user_id].append(a)
    window = dt.timedelta(minutes=config.window_minutes)
    routines = []
    for user, items in sorted(by_user.items()):
        items.sort(key=lambda a: a.at)
        occurrences: dict[str, int] = defaultdict(int)
        followed: dict[tuple[str, str], list[float]] = defaultdict(list)
        for i, a in enumerate(items):
            occurrences[a.item] += 1
            seen_after: set[str] = set()
            for b in items[i + 1:]:
                if b.at - a.at > window:
                    break
                if b.item != a.item and b.item not in seen_after and not b.item.startswith(EVENT_PREFIX):
                    seen_after.add(b.item)
                    followed[(a.item, b.item)].append((b.at - a.at).total_seconds() / 60)
        for (first, then), delays in followed.items():
            support, confidence = len(delays), len(delays) / occurrences[first]
            if support >= config.min_support and confidence >= config.min_confidence:
                delays.sort()
                routines.append(Routine(user, first, then, support, round(confidence, 3),
                                        round(delays[len(delays) // 2], 1)))
    routines.sort(key=lambda r: (r.user_id, -r.support, -r.confidence, r.first, r.then))
    return routines


def coffee_after_alarm(routines: Iterable[Routine], user_id: str) -> Routine | None:
    """The user's mined "alarm rings, then the coffee maker brews" routine, if any."""
    return next((r for r in routines if r.user_id == user_id and r.first == ALARM
                 and r.then.startswith("brew ")), None)


def alarm_rang_within(events: Iterable[object], now: dt.datetime, minutes: float = 60.0) -> bool:
    """An alarm rang in the last ``minutes`` (home events, `assistant.home.Event`)."""
    limit = dt.timedelta(minutes=minutes)
    return any(getattr(getattr(e, "kind", None), "value", None) == "alarm_rang"
               and dt.timedelta(0) <= now - e.at <= limit for e in events)  # type: ignore[attr-defined]


def due_automations(home: "object", user_ids: Iterable[str], since: dt.datetime) -> list[str]:
    """Directives the home should run by itself now: the coffee for each user whose morning
    routine (stated, or accepted when offered) is coffee after the alarm, when an alarm rang
    after ``since`` and no coffee is brewing. `Runtime.run_automations` applies them after the
    clock moved (the chat's /time calls it)."""
    from assistant.prefs.keys import COFFEE_AFTER_ALARM, PrefKey
    from assistant.services import preferences

    rang = any(getattr(e.kind, "value", None) == "alarm_rang" and e.at > since
               for e in getattr(home, "events", []))
    if not rang:
        return []
    makers = [d for d in getattr(home, "devices", {}).values() if getattr(d.kind, "value", "") == "coffee_maker"]
    if not makers or any(m.state.get("brewing") for m in makers):
        return []
    for user in user_ids:
        if preferences.store().first_liked(user, PrefKey.MORNING_ROUTINE) == COFFEE_AFTER_ALARM:
            return [f"brew {makers[0].id}"]
    return []
