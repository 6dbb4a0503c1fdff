"""`assistant bench-serve`'s figures: what the stores hold after a run, latency and CPU per
phase, turns lost or stored twice, leaks across users and homes, and the capacity estimate."""

from __future__ import annotations

import json
import statistics
from collections import Counter
from typing import Any

from lab.evaluation.serve_traffic import HOMES, TurnOutcome


def store_counts(url: str) -> dict[str, Any]:
    """User events in the tracker store and rows in the interaction log, per internal user,
    and rows that do not parse."""
    import sqlalchemy as sa

    from assistant.learning.log import InteractionLog

    engine = sa.create_engine(url, future=True)
    try:
        with engine.connect() as conn:
            events = conn.execute(sa.text("SELECT sender_id, data FROM events WHERE type_name = 'user'")).all()
    finally:
        engine.dispose()
    corrupt = 0
    tracker: Counter = Counter()
    for sender, data in events:
        try:
            json.loads(data)
        except (TypeError, ValueError):
            corrupt += 1
        tracker[str(sender).split("~", 1)[0]] += 1
    with InteractionLog.open(url) as log:
        rows = list(log.turns(light=True))
        corrupt += log.skipped_rows
    logged: Counter = Counter((r.user_id, r.text) for r in rows)
    return {"tracker": tracker, "log": logged, "corrupt": corrupt}


def home_states(url: str) -> dict[str, dict[str, Any]]:
    from assistant.service.homes import HomeStore
    from assistant.service.tables import ServiceDB

    db = ServiceDB.open(url)
    try:
        store = HomeStore(db)
        return {name: {d: dict(dev.state) for d, dev in store.load(name)[0].devices.items()} for name in HOMES}
    finally:
        db.close()


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def phase_figures(outcomes: list[TurnOutcome], wall: float, server_cpu: float, db_cpu: float) -> dict[str, Any]:
    answered = [o for o in outcomes if o.ok]
    latencies = [o.seconds * 1000 for o in answered]
    return {
        "turns_sent": len(outcomes), "turns_answered": len(answered), "lost": len(outcomes) - len(answered),
        "retried_turns": sum(1 for o in outcomes if o.attempts > 1),
        "attempts": sum(o.attempts for o in outcomes),
        "seconds": round(wall, 2),
        "turns_per_second": round(len(answered) / wall, 3) if wall else None,
        "p50_ms": round(percentile(latencies, 0.5), 1), "p95_ms": round(percentile(latencies, 0.95), 1),
        "server_cpu_s_per_turn": round(server_cpu / len(answered), 4) if answered else None,
        "db_cpu_s_per_turn": round(db_cpu / len(answered), 4) if answered else None,
        "served_by": dict(Counter(str(o.served_by) for o in answered)),
    }


def leaks(outcomes: list[TurnOutcome], after: dict[str, Any], before: dict[str, Any],
          states: dict[str, dict[str, Any]], initial: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Cross-user and cross-home leaks: answers naming another user, log rows of texts a user
    never sent to that home, tracker conversations of unknown users, device changes in a home
    that none of its own turns made."""
    sent: dict[tuple[str, str], set[str]] = {}
    for o in outcomes:
        sent.setdefault((f"{o.home}.{o.user}", o.home), set()).add(o.text)
    known = {internal for internal, _ in sent}
    by_user = {internal: texts for (internal, _), texts in sent.items()}
    answer_leaks = sum(1 for o in outcomes if o.ok and o.answer.get("user_id") not in (None, o.user))
    new_log = after["log"] - before["log"]
    log_leaks = sum(n for (user, text), n in new_log.items() if text not in by_user.get(user, set()))
    new_tracker = after["tracker"] - before["tracker"]
    tracker_leaks = sum(n for user, n in new_tracker.items() if user not in known)
    # a device whose state moved in a home must have been changed by one of that home's own
    # answered turns (what each answer reports under "changed")
    explained: dict[str, set[str]] = {home: set() for home in HOMES}
    for o in outcomes:
        if o.ok:
            explained[o.home].update((o.answer.get("changed") or {}).keys())
    unexplained = sorted(f"{home}:{device}" for home in HOMES for device, state in states[home].items()
                         if state != initial[home].get(device) and device not in explained[home])
    return {"answers_naming_another_user": answer_leaks, "log_rows_of_another_user_or_home": log_leaks,
            "tracker_conversations_of_unknown_users": tracker_leaks,
            "device_changes_not_made_by_the_homes_own_turns": len(unexplained),
            "unexplained_devices": unexplained}


def accounting(outcomes: list[TurnOutcome], after: dict[str, Any], before: dict[str, Any]) -> dict[str, int]:
    answered = sum(1 for o in outcomes if o.ok)
    tracker = sum((after["tracker"] - before["tracker"]).values())
    logged = sum((after["log"] - before["log"]).values())
    return {"turns_answered": answered, "tracker_user_events": tracker, "log_rows": logged,
            "tracker_missing": max(0, answered - tracker), "tracker_extra": max(0, tracker - answered),
            "log_missing": max(0, answered - logged), "log_extra": max(0, logged - answered),
            "corrupt_rows": after["corrupt"]}


def capacity(configs: list[dict[str, Any]], cores: int) -> dict[str, Any]:
    """From the CPU per turn at the highest load: turns/s one machine of ``cores`` cores can
    carry, N machines, and the database's own ceiling."""
    best = [p for c in configs for p in c["phases"] if p.get("server_cpu_s_per_turn")]
    if not best:
        return {}
    top = max(best, key=lambda p: p["users"])
    server = statistics.mean(p["server_cpu_s_per_turn"] for p in best if p["users"] == top["users"])
    db = statistics.mean(p["db_cpu_s_per_turn"] or 0.0 for p in best if p["users"] == top["users"])
    per_machine = cores / server
    return {"cores_per_machine": cores, "server_cpu_s_per_turn": round(server, 4),
            "db_cpu_s_per_turn": round(db, 4),
            "turns_per_second_per_machine": round(per_machine, 2),
            "turns_per_second_n_machines": {n: round(n * per_machine, 1) for n in (1, 2, 4, 8)},
            "db_ceiling_turns_per_second_per_db_core": round(1 / db, 1) if db else None}
