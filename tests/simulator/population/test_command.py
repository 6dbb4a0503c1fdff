"""The CLI's argument checks, the side-by-side table, and the PNG plot."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from simulator.population.command import render, validate
from simulator.population.plot import plot_defects


def _args(**overrides) -> argparse.Namespace:
    values = dict(users=3, days=2, seed=7, arm="baseline", json=None, plot=None)
    values.update(overrides)
    return argparse.Namespace(**values)


@pytest.mark.parametrize("overrides, problem", [
    ({"users": 0}, "--users must be at least 1"),
    ({"days": 0}, "--days must be at least 1"),
    ({"seed": None}, "needs --users N --days D --seed S"),
    ({"arm": "sometimes"}, "unknown arm"),
    ({"plot": "out.jpg"}, "wants a .png"),
])
def test_bad_arguments_get_a_clear_message(overrides, problem) -> None:
    assert problem in (validate(_args(**overrides)) or "")


def test_good_arguments_pass(tmp_path: Path) -> None:
    assert validate(_args(arm="all", plot=str(tmp_path / "d.png"), json=str(tmp_path / "a.json"))) is None
    assert validate(_args(json=str(tmp_path))) is not None  # a directory is not a file name


FIGURES = [
    {"arm": "baseline", "users": 3, "days": 2, "seed": 7, "turns": 40, "defect_rate": 0.3,
     "defect_rate_by_day": [0.35, 0.25], "teachable_precision": None, "notes": []},
    {"arm": "full", "users": 3, "days": 2, "seed": 7, "turns": 42, "defect_rate": 0.2,
     "defect_rate_by_day": [0.3, 0.1], "teachable_precision": 0.5, "notes": ["day 0: mined: 1 added"]},
]


def test_the_table_shows_every_arm_side_by_side() -> None:
    from rich.console import Console

    console = Console(record=True, width=120)
    render(FIGURES, console)
    text = console.export_text()
    assert "baseline" in text and "full" in text
    assert "0.300" in text and "0.200" in text
    assert "mined: 1 added" in text


def test_the_plot_is_a_png(tmp_path: Path) -> None:
    out = plot_defects(FIGURES, tmp_path / "plots" / "defects.png")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
