"""Read back a population run's log and truth: the offers to learn at no moment, the moments with
no offer, and the preference captures that failed, each with the turns around it.

    python scripts/teachable_offers.py DATA_DIR [--show N]

DATA_DIR is the `--data-dir` of one `assistant simulate --users ... --arm teachable` run (its
``learning.db`` and the truth beside it, ``learning.truth.db``). The simulator's truth is read
here only, in the lab's way; the assistant never sees it.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from simulator.population.reactions import asked_key, is_offer


def load(data_dir: Path) -> dict[str, list[dict[str, Any]]]:
    """Every logged turn with a truth, by goal, in order."""
    log = sqlite3.connect(data_dir / "learning.db")
    truth = sqlite3.connect(data_dir / "learning.truth.db")
    truths = {row[0]: json.loads(row[1]) for row in truth.execute("select turn_id, truth from sim_truth")}
    goals: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for turn_id, user, text, intent, actions, reply in log.execute(
            "select id, user_id, text, intent, actions, reply from turns order by id"):
        known = truths.get(turn_id)
        if known is None:
            continue
        acts = json.loads(actions)
        goals[known["goal_id"].split("~")[0]].append({
            "id": turn_id, "user": user, "heard": text, "intent": intent, "actions": acts, "reply": reply,
            "offer": is_offer(reply, acts) and asked_key(reply) is not None, "key": asked_key(reply), **known})
    return goals


def show(title: str, cases: list[list[dict[str, Any]]], limit: int) -> None:
    print(f"\n## {title}: {len(cases)}")
    for turns in cases[:limit]:
        print(f"- goal {turns[0]['goal_id']} ({turns[0]['goal_intent']})")
        for t in turns:
            mark = "M" if t.get("teachable_moment") else " "
            mark += "C" if t.get("moment_closing") else " "
            mark += "O" if t["offer"] else " "
            capture = {True: " capture ok", False: " CAPTURE MISSED"}.get(t.get("preference_correct"), "")
            print(f"    [{mark}] {t['turn_kind']:<9} said {t['said']!r} heard {t['heard']!r} -> {t['intent']}"
                  f" | {t['reply'][:150]!r} ({t['failure_point'] or 'ok'}{capture})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--show", type=int, default=40)
    args = parser.parse_args()
    goals = load(args.data_dir)
    stray = [turns for turns in goals.values() if any(t["offer"] and not t["teachable_moment"] for t in turns)]
    missed = [turns for turns in goals.values() if any(t["teachable_moment"] for t in turns)
              and not any(t["offer"] and t["teachable_moment"] for t in turns)]
    lost = [turns for turns in goals.values() if any(t.get("preference_correct") is False for t in turns)]
    kinds = Counter(t["turn_kind"] for turns in goals.values() for t in turns if t.get("preference_correct") is not None)
    misses = Counter(t["turn_kind"] for turns in lost for t in turns if t.get("preference_correct") is False)
    print(f"goals {len(goals)}; capture turns by kind {dict(kinds)}; missed by kind {dict(misses)}")
    show("offers at no moment", stray, args.show)
    show("moments with no offer", missed, args.show)
    show("captures missed", lost, args.show)


if __name__ == "__main__":
    main()
