"""Seconds from starting a process to its first answered turn, and where they go.

`assistant bench` runs this module in a fresh process (as `assistant chat` starts), with
``ASSISTANT_T0`` set to the wall-clock time just before it started the process::

    python -m lab.evaluation.first_turn DATA_DIR

It prints one JSON line: ``first_turn_seconds`` (from ``ASSISTANT_T0``), and the phases
``imports``, ``start`` (action server + model load + warm-up) and ``turn``.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    """Start a runtime on DATA_DIR, answer one turn, print the timings."""
    args = sys.argv[1:] if argv is None else argv
    t0 = float(os.environ.get("ASSISTANT_T0") or time.time())
    began = time.time()
    from assistant.runtime import Runtime

    imported = time.time()
    runtime = Runtime.start(Path(args[0]))
    started = time.time()
    try:
        result = runtime.handle("turn on the lights", user_id="bench_first", device_id="kitchen_speaker")
        answered = time.time()
    finally:
        runtime.close()
    print(json.dumps({
        "first_turn_seconds": round(answered - t0, 2),
        "interpreter": round(began - t0, 2),
        "imports": round(imported - began, 2),
        "start": round(started - imported, 2),
        "turn": round(answered - started, 2),
        "reply": result.replies[:1],
    }))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
