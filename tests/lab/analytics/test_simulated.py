"""How the set-up shares its simulated runs among worker processes."""

from __future__ import annotations

from lab.analytics import simulated
from lab.analytics.training import SetupPlan, SimRun


def test_every_run_is_played_once_and_the_load_is_even() -> None:
    runs = SetupPlan().runs
    split = simulated.shares(runs, 2)
    assert sorted(i for share in split for i in share) == list(range(len(runs)))
    loads = [sum(runs[i].cost for i in share) for share in split]
    biggest = max(r.cost for r in runs)
    assert max(loads) - min(loads) <= biggest


def test_the_split_depends_on_the_plan_only() -> None:
    runs = (SimRun(1, 30, 4), SimRun(2, 10, 4), SimRun(3, 20, 4), SimRun(4, 20, 4))
    assert simulated.shares(runs, 2) == simulated.shares(runs, 2) == [[0, 1], [2, 3]]
    assert simulated.shares(runs, 1) == [[0, 1, 2, 3]]


def test_more_workers_than_runs_leaves_no_empty_worker() -> None:
    assert simulated.shares((SimRun(1, 5, 1),), 2) == [[0]]


def test_workers_are_capped_by_the_cores(monkeypatch) -> None:
    monkeypatch.setattr(simulated.os, "cpu_count", lambda: 1)
    assert simulated.worker_count(2) == 1
    monkeypatch.setattr(simulated.os, "cpu_count", lambda: None)
    assert simulated.worker_count(4) == 1


def test_a_run_that_retrains_each_night_weighs_more_in_the_split() -> None:
    runs = (SimRun(1, 20, 3, arm="full"), SimRun(2, 20, 3), SimRun(3, 20, 3), SimRun(4, 20, 3))
    assert simulated.shares(runs, 2) == [[0], [1, 2, 3]]
