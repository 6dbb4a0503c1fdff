"""Markdown tables of `assistant simulate --arm all --json` files, for docs/RESULTS.md.

``python -m simulator.population.table real.json templates.json`` prints, for each file, the
arms side by side and the failure points of defective turns per arm.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from simulator.population.metrics import layer_records

ROWS = (
    ("turns", "turns", "{}"),
    ("goals", "goals", "{}"),
    ("real_phrasing_share", "goals opened with a real sentence", "{:.3f}"),
    ("task_success_rate", "task success", "{:.3f}"),
    ("in_scope_success", "in-scope success", "{:.3f}"),
    ("out_of_scope_handled", "out of scope refused", "{:.3f}"),
    ("defect_rate", "defect rate", "{:.3f}"),
    ("defect_reduction", "defect reduction vs baseline", "{:+.1%}"),
    ("nlu_failure_share", "defects at NLU (share)", "{:.3f}"),
    ("turns_per_goal", "turns per goal", "{:.2f}"),
    ("rewrite_wins", "rewrite wins", "{}"),
    ("rewrite_losses", "rewrite losses", "{}"),
    ("teachable_precision", "teachable precision", "{:.2f}"),
    ("teachable_recall", "teachable recall", "{:.2f}"),
    ("teachable_moment_precision", "teaching offers at moments (precision)", "{:.2f}"),
    ("teachable_moment_recall", "teachable moments offered (recall)", "{:.2f}"),
    ("offers_per_user_day", "offers to learn per user-day", "{:.2f}"),
    ("result_failures", "result failures", "{}"),
    ("preference_capture_accuracy", "preference capture accuracy", "{:.2f}"),
    ("give_up_rate", "give-up rate", "{:.3f}"),
    ("word_error_rate", "word error rate", "{:.3f}"),
)


def _cell(value: Any, fmt: str) -> str:
    return "-" if value is None else fmt.format(value)


def markdown(payload: dict[str, Any]) -> str:
    """The arms table and the failure points of one `simulate --json` payload."""
    arms = payload.get("arms") or {payload["arm"]: payload}
    names = list(arms)
    lines = [f"| measure | {' | '.join(names)} |", "| --- |" + " --- |" * len(names)]
    for key, label, fmt in ROWS:
        lines.append(f"| {label} | " + " | ".join(_cell(arms[n].get(key), fmt) for n in names) + " |")
    records = {n: layer_records(arms[n]) for n in names}
    for layer in records[names[0]]:
        lines.append(f"| {layer} wins:losses | " + " | ".join("{}:{}".format(*records[n][layer]) for n in names) + " |")
    points = sorted({p for n in names for p in arms[n].get("failure_points", {})})
    lines += ["", f"| failure point (defective turns) | {' | '.join(names)} |", "| --- |" + " --- |" * len(names)]
    for point in points:
        lines.append(f"| {point} | " + " | ".join(str(arms[n].get("failure_points", {}).get(point, 0))
                                                   for n in names) + " |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    for name in argv:
        payload = json.loads(Path(name).read_text())
        print(f"### {name}: {payload.get('users')} users x {payload.get('days')} days, seed {payload.get('seed')}, "
              f"{payload.get('phrasing', next(iter((payload.get('arms') or {'': {}}).values())).get('phrasing'))} "
              f"phrasing, heard through {payload.get('asr', 'confusions')}\n")
        print(markdown(payload) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
