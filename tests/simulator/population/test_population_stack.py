"""One small population run through the real stack: 2 users x 1 day, baseline arm."""

from __future__ import annotations

from simulator.population.metrics import CONTRACT_KEYS, summarize
from simulator.population.run import run_population
from simulator.truth_store import turns_with_truth


def test_a_small_population_run_logs_truth_for_every_turn(runtime) -> None:
    previous = runtime.learning
    try:
        report = run_population(runtime, users=2, days=1, seed=3, arm="baseline", miner=None)
        figures = summarize(report)
        rows = turns_with_truth(runtime.log)
    finally:
        runtime.learning = previous
    assert set(CONTRACT_KEYS) <= set(figures)
    assert figures["arm"] == "baseline" and figures["users"] == 2 and figures["days"] == 1
    assert figures["turns"] == len(rows) > 0
    assert 0.0 <= figures["task_success_rate"] <= 1.0
    for row in rows:
        assert row.truth is not None, f"turn {row.id} ({row.text!r}) has no truth"
        assert row.truth["reaction"] is not None
        assert row.truth["success"] == (row.truth["failure_point"] is None)
    assert {row.user_id for row in rows} == {"sim3_u000", "sim3_u001"}


def test_a_small_real_phrasing_run_speaks_hwu64_through_the_stack(runtime) -> None:
    previous = runtime.learning
    try:
        report = run_population(runtime, users=2, days=1, seed=4, arm="baseline", miner=None, phrasing="real")
        figures = summarize(report)
        rows = turns_with_truth(runtime.log)
    finally:
        runtime.learning = previous
    assert figures["phrasing"] == "real" and figures["real_phrasing_share"] > 0
    assert 0.0 <= figures["in_scope_success"] <= 1.0
    real = [row for row in rows if row.truth and row.truth.get("hwu64_id") is not None]
    assert real, "no turn spoke a HWU64 sentence"
