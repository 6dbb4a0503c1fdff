"""Throughput: simulated turns per second through the full stack, beside the bare Rasa model.

The bare figure plays the same heard texts through `Agent.handle_text` (no context, no
rewriting, no logging, no directives), in the same process and run, as `assistant bench` does
for latency; the ratio is what compares across machines.
"""

from __future__ import annotations

import time
from typing import Any, Iterable


def bare_throughput(runtime: Any, texts: Iterable[str], *, timer: Any = time.perf_counter) -> dict[str, float]:
    """Turns per second of the runtime's Rasa agent on ``texts`` alone."""
    agent = runtime.agent
    if agent is None:
        raise RuntimeError("the runtime has no Rasa agent loaded")
    items = [t for t in texts if t.strip()]
    if not items:
        return {"bare_turns": 0, "bare_seconds": 0.0, "bare_turns_per_second": 0.0}
    runtime._run(agent.handle_text("hello", sender_id="bench_bare_warmup"))
    started = timer()
    for number, text in enumerate(items):
        runtime._run(agent.handle_text(text, sender_id=f"bench_bare_{number // 8}"))
    seconds = timer() - started
    return {"bare_turns": len(items), "bare_seconds": round(seconds, 3),
            "bare_turns_per_second": round(len(items) / seconds, 2) if seconds > 0 else 0.0}


def logged_texts(runtime: Any, limit: int = 300) -> list[str]:
    """Up to ``limit`` heard texts from the interaction log (what the simulation said)."""
    log = getattr(runtime, "log", None)
    if log is None:
        return []
    texts = []
    for record in log.turns():
        texts.append(record.text)
        if len(texts) >= limit:
            break
    return texts


def compare(full_turns_per_second: float | None, bare: dict[str, float]) -> dict[str, Any]:
    """The full stack's throughput as a share of the bare model's."""
    bare_tps = bare.get("bare_turns_per_second") or 0.0
    ratio = round(full_turns_per_second / bare_tps, 3) if full_turns_per_second and bare_tps else None
    return {**bare, "full_turns_per_second": full_turns_per_second, "full_to_bare_ratio": ratio}
