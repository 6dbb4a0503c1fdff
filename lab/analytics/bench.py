"""How long `analyze` takes on a large log, and how big the shipped failure-point model is.

The log is made of simulator logs (data folders, `study simulate`) copied side by side until it
holds ``--turns`` turns: each copy's users and sessions are renamed, so every copy is segmented
and judged on its own, as a larger household population would be. The turns are analysed
as `assistant analyze` does, with the shipped model (or ``--model``), timed per stage.

`python -m lab.analytics.bench /work/runs/a33/f61 /work/runs/a33/b61 --turns 100000 [--json OUT]`
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path
from typing import Any, Sequence


def tiled(logs: Sequence[Sequence[Any]], turns: int) -> list[Any]:
    """Copies of ``logs``' turns (users and sessions renamed per copy, ids renumbered) until
    ``turns`` are held."""
    source = [turn for log in logs for turn in log]
    if not source:
        raise ValueError("the logs hold no turns")
    out: list[Any] = []
    copy = 0
    while len(out) < turns:
        for turn in source[: turns - len(out)]:
            out.append(dataclasses.replace(turn, user_id=f"{turn.user_id}#{copy}",
                                           session_id=f"{turn.session_id}#{copy}", id=len(out) + 1))
        copy += 1
    return out


def size_on_disk(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def bench(roots: Sequence[Path], turns: int, model_folder: Path | None = None) -> dict[str, Any]:
    """Seconds per stage of `analyze` on a log of ``turns`` turns, and the model's size."""
    from assistant.analytics import failure_point as fp
    from assistant.analytics.pipeline import analyze
    from assistant.shipped import FAILURE_POINTS, SHIPPED_DIR
    from lab.analytics.study import read_log

    folder = model_folder or SHIPPED_DIR / FAILURE_POINTS
    model = fp.FailurePointModel.load(folder)
    records = tiled([read_log(root) for root in roots], turns)
    started = time.perf_counter()
    analysis = analyze(records, model=model)
    total = time.perf_counter() - started
    return {"turns": len(records), "goals": len(analysis.goals), "seconds": round(total, 1),
            "stages": {k: round(v, 1) for k, v in analysis.seconds.items()},
            "model_bytes": size_on_disk(folder), "model": str(folder), "logs": [str(r) for r in roots]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("roots", nargs="+", type=Path, help="data folders of simulator logs")
    parser.add_argument("--turns", type=int, default=100_000)
    parser.add_argument("--model", type=Path, help="a saved failure-point model's folder (default the shipped one)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    from lab.analytics.study import emit

    return emit(bench(args.roots, args.turns, args.model), args.json)


if __name__ == "__main__":
    raise SystemExit(main())
