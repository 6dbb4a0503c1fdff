"""The failure-point study's `shipped` measure: the shipped model as it ships, on logs it never saw."""

from __future__ import annotations

from pathlib import Path

from assistant.learning.log import InteractionLog
from assistant.paths import DataDir
from lab.analytics import study
from lab.analytics.synthetic import SyntheticConfig, write


def _log(root: Path, seed: int) -> Path:
    root.mkdir(parents=True)
    with InteractionLog.open(f"sqlite:///{DataDir(root).learning_db}") as log:
        assert write(log, seed, SyntheticConfig(users=3, days=1)) > 0
    return root


def test_the_shipped_model_is_scored_on_each_log_and_on_all_of_them(tmp_path: Path) -> None:
    roots = [_log(tmp_path / "a", 5), _log(tmp_path / "b", 6)]
    figures = study.shipped(roots)
    assert set(figures) == {str(r) for r in roots} | {"pooled"}
    pooled = figures["pooled"]
    assert pooled["n"] == sum(figures[str(r)]["n"] for r in roots) > 0
    assert 0.0 <= pooled["accuracy_on_failed_turns"] <= 1.0
    assert sum(count for _, count in pooled["recall_and_count"].values()) == pooled["n"]
