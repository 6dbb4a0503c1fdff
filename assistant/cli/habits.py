"""`assistant infer` (implicit preferences and routines from the interaction log) and
`assistant habits --user ID` (what the assistant learnt about a user's habits)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from assistant.paths import DataDir

if TYPE_CHECKING:
    from rich.console import Console

    from assistant.learning.log import TurnRecord

EXIT_OK, EXIT_FAIL = 0, 1


def add_infer_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--user", help="only this user (default: everyone in the log)")
    p.add_argument("--now", help="the clock to weigh recency against, ISO (default: the log's last turn)")
    p.add_argument("--dry-run", action="store_true", help="print what would be inferred; store nothing")
    p.add_argument("--score-users", type=int, help="score against the hidden preferences of a simulated "
                                                   "population of this many users ...")
    p.add_argument("--score-seed", type=int, help="... drawn from this seed (as `simulate` ran it)")
    p.add_argument("--json", help="write the report as JSON here")


def add_habits_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--user", help="the user id")
    p.add_argument("--json", help="write it as JSON here")


def _console() -> "Console":
    from rich.console import Console

    return Console(highlight=False)


def _error(message: str) -> int:
    from rich.console import Console

    Console(stderr=True, highlight=False).print(f"[bold red]error:[/] {message}")
    return EXIT_FAIL


class _Rows:
    """Turns read once, served as `InteractionLog.turns` would."""

    def __init__(self, rows: list["TurnRecord"]) -> None:
        self.rows = rows

    def turns(self, *, user_id: str | None = None, since_id: int = 0) -> Iterator["TurnRecord"]:
        return iter([r for r in self.rows if user_id is None or r.user_id == user_id])


def _stores(data: DataDir) -> tuple[Any, Any, Any]:
    from assistant.habits.store import HabitStore
    from assistant.learning.log import InteractionLog
    from assistant.prefs.store import PreferenceStore

    return (InteractionLog.open(data.learning_url), PreferenceStore.open(data.prefs_url),
            HabitStore.open(data.prefs_url))


def run_infer(args: argparse.Namespace) -> int:
    from rich.table import Table

    from assistant.habits import implicit, routines
    from lab.evaluation import habits as evaluate

    if (args.score_users is None) != (args.score_seed is None):
        return _error("scoring needs both --score-users and --score-seed")
    if args.score_users is not None and args.score_users < 1:
        return _error("--score-users must be at least 1")
    try:
        now_arg = dt.datetime.fromisoformat(args.now) if args.now else None
    except ValueError:
        return _error(f"--now {args.now!r} is not an ISO date and time, like 2026-03-02T07:00")
    log, prefs, habits = _stores(DataDir(args.data_dir))
    console = _console()
    try:
        rows = _Rows(list(log.turns(user_id=args.user)))
        if not rows.rows:
            console.print("The interaction log has no turns" + (f" of {args.user!r}" if args.user else "")
                          + ": nothing to infer.")
            _write(args.json, {"turns": 0, "inferred": [], "stored": [], "routines": []})
            return EXIT_OK
        now = now_arg or max(r.timestamp for r in rows.rows)
        if args.dry_run:
            marks = habits.marks(args.user)
            found = implicit.score(implicit.observations(rows.rows), now, marks=marks)
            report = implicit.InferReport(inferred=found, rooms=[i for i in found if i.pref_key is None])
        else:
            report = implicit.infer(rows, prefs, now, habits=habits, user_id=args.user)
        mined = routines.mine(routines.timeline(rows.rows))
    finally:
        log.close(), prefs.close(), habits.close()
    stored = {(i.user_id, i.key, i.value) for i in report.stored}
    kept = {(i.user_id, i.key, i.value) for i in report.kept_explicit}
    table = Table(title=f"Inferred at {now:%Y-%m-%d %H:%M}", title_justify="left")
    for column in ("user", "key", "value", "confidence", "count", "share", "last seen", "stored"):
        table.add_column(column)
    for i in report.inferred:
        slot = (i.user_id, i.key, i.value)
        what = "yes" if slot in stored else "no: stated one kept" if slot in kept else \
            "dry run" if args.dry_run else "no: not a preference"
        table.add_row(i.user_id, i.key, i.value, f"{i.confidence:.2f}", str(i.count), f"{i.share:.2f}",
                      f"{i.last_seen:%Y-%m-%d}", what)
    console.print(table)
    if mined:
        rt = Table(title="Routines", title_justify="left")
        for column in ("user", "first", "then", "support", "confidence", "delay (min)"):
            rt.add_column(column)
        for r in mined:
            rt.add_row(r.user_id, r.first, r.then, str(r.support), f"{r.confidence:.2f}", f"{r.delay_minutes:g}")
        console.print(rt)
    console.print(report.summary() + f"; {len(mined)} routine(s) from {len(rows.rows)} turns.")
    payload: dict[str, Any] = {
        "turns": len(rows.rows), "now": now.isoformat(timespec="seconds"), "dry_run": bool(args.dry_run),
        "inferred": [_inference(i) for i in report.inferred],
        "stored": [_inference(i) for i in report.stored],
        "kept_explicit": [_inference(i) for i in report.kept_explicit],
        "removed": [list(r) for r in report.removed],
        "routines": [r.__dict__ for r in mined],
    }
    if args.score_users is not None:
        truth = evaluate.population_truth(args.score_users, args.score_seed)
        scored = evaluate.score(report.inferred, truth).to_json()
        payload["score"] = scored
        console.print(f"Against the hidden preferences of {args.score_users} simulated users (seed "
                      f"{args.score_seed}): precision {_pct(scored['precision'])}, recall "
                      f"{_pct(scored['recall'])} ({scored['correct']} correct of {scored['predicted']} "
                      f"inferred, {scored['truths']} to find)")
        for key, s in scored["per_key"].items():
            console.print(f"  {key}: precision {_pct(s['precision'])}, recall {_pct(s['recall'])} "
                          f"({s['correct']}/{s['predicted']} of {s['truths']})")
    _write(args.json, payload)
    return EXIT_OK


def run_habits(args: argparse.Namespace) -> int:
    from assistant.habits import routines
    from assistant.prefs.keys import Source

    if not args.user:
        return _error("say whose habits: `assistant habits --user ID`")
    log, prefs, habits = _stores(DataDir(args.data_dir))
    try:
        inferred = [p for p in prefs.get(args.user) if p.source is Source.IMPLICIT]
        concepts = habits.concepts(args.user)
        marks = habits.marks(args.user)
        mined = routines.mine(routines.timeline(log.turns(user_id=args.user)))
    finally:
        log.close(), prefs.close(), habits.close()
    console = _console()
    console.print(f"[bold]{args.user}[/]")
    console.print("Inferred preferences: " + (", ".join(f"{p.key.value}={p.value} ({p.confidence:.2f})"
                                                        for p in inferred) or "none"))
    console.print("Taught phrases: " + ("; ".join(f"\"{c.name}\" = {' | '.join(c.steps)}" for c in concepts)
                                        or "none"))
    console.print("Routines: " + ("; ".join(f"{r.describe()} ({r.support}x, {r.confidence:.0%})" for r in mined)
                                  or "none"))
    console.print("Marks: " + (", ".join(f"{m.kind.value} {m.key} {m.value}".strip() for m in marks) or "none"))
    _write(args.json, {
        "user": args.user,
        "inferred": [{"key": p.key.value, "value": p.value, "confidence": p.confidence} for p in inferred],
        "concepts": [{"name": c.name, "steps": list(c.steps)} for c in concepts],
        "routines": [r.__dict__ for r in mined],
        "marks": [{"kind": m.kind.value, "key": m.key, "value": m.value, "at": m.at.isoformat()} for m in marks],
    })
    return EXIT_OK


def _inference(i: Any) -> dict[str, Any]:
    return {"user": i.user_id, "key": i.key, "value": i.value, "confidence": i.confidence, "count": i.count,
            "share": i.share, "last_seen": i.last_seen.isoformat(timespec="seconds")}


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def _write(path: str | None, payload: dict[str, Any]) -> None:
    if path:
        Path(path).write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n")
