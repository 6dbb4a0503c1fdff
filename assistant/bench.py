"""Turn latency: the full stack (context, runtime, directives) beside the bare Rasa model.

Both run in one process on the same model and action server, turn by turn interleaved,
so machine noise hits both alike; the ratio is the figure to compare across machines.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from assistant.paths import DataDir

TURNS: tuple[tuple[str, str], ...] = (
    ("turn on the lights", "kitchen_speaker"),
    ("what is the temperature", "kitchen_speaker"),
    ("play the hunger games", "living_room_tv"),
    ("play the hunger games", "kitchen_speaker"),
    ("start brewing", "kitchen_speaker"),
    ("is the garage door open", "kitchen_speaker"),
    ("set the thermostat to 22 degrees", "bedroom_speaker"),
    ("what's the weather in seattle", "office_speaker"),
    ("set an alarm for 7 am", "bedroom_speaker"),
    ("turn off the lights", "bedroom_speaker"),
    ("hello", "kitchen_speaker"),
    ("book me a flight to paris", "kitchen_speaker"),
)


def percentile(values: list[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..100)."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    pos = (len(ordered) - 1) * q / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def run(data: DataDir, *, repeats: int = 3, console: Any = None, verbose: bool = False) -> dict[str, Any]:
    """Play TURNS `repeats` times through both paths and return the figures."""
    from rich.progress import Progress
    from rich.table import Table

    from assistant.runtime import Runtime

    full: list[float] = []
    bare: list[float] = []
    with Runtime.start(data.root, verbose=verbose) as runtime:
        agent = runtime.agent
        assert agent is not None
        # Warm up both paths (first calls load lazily-built graph parts).
        runtime.handle("hello", user_id="bench_warmup", device_id="kitchen_speaker")
        runtime._run(agent.handle_text("hello", sender_id="bench_warmup_bare"))
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("Benchmark turns", total=repeats * len(TURNS))
            for rep in range(repeats):
                for text, device in TURNS:
                    start = time.perf_counter()
                    runtime.handle(text, user_id=f"bench_full_{rep}", device_id=device)
                    full.append((time.perf_counter() - start) * 1000)
                    start = time.perf_counter()
                    runtime._run(agent.handle_text(text, sender_id=f"bench_bare_{rep}"))
                    bare.append((time.perf_counter() - start) * 1000)
                    progress.advance(task)
    result = {
        "turns": len(full),
        "full_p50_ms": round(percentile(full, 50), 2),
        "full_p95_ms": round(percentile(full, 95), 2),
        "bare_p50_ms": round(percentile(bare, 50), 2),
        "bare_p95_ms": round(percentile(bare, 95), 2),
        "full_mean_ms": round(statistics.fmean(full), 2),
        "bare_mean_ms": round(statistics.fmean(bare), 2),
    }
    result["p50_ratio"] = round(result["full_p50_ms"] / result["bare_p50_ms"], 3)
    result["p95_ratio"] = round(result["full_p95_ms"] / result["bare_p95_ms"], 3)
    if console is not None:
        table = Table(title=f"Turn latency, {len(full)} turns each (ms)")
        for col in ("", "p50", "p95", "mean"):
            table.add_column(col, justify="right")
        table.add_row("full stack", f"{result['full_p50_ms']:.1f}", f"{result['full_p95_ms']:.1f}",
                      f"{result['full_mean_ms']:.1f}")
        table.add_row("bare Rasa", f"{result['bare_p50_ms']:.1f}", f"{result['bare_p95_ms']:.1f}",
                      f"{result['bare_mean_ms']:.1f}")
        table.add_row("ratio", f"{result['p50_ratio']:.2f}", f"{result['p95_ratio']:.2f}", "")
        console.print(table)
    return result
