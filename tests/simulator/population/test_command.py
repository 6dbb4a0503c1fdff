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


def test_a_population_is_heard_through_speech_unless_told_otherwise() -> None:
    from simulator.population.command import asr_mode

    assert asr_mode(_args()) == "speech"
    assert asr_mode(_args(asr="confusions")) == "confusions"


def test_a_missing_speech_package_stops_the_run_with_one_line(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from simulator.population import channel, command
    from simulator.speech.engine import SpeechUnavailable

    def missing(*args, **kwargs):
        raise SpeechUnavailable("the speech channel needs pocketsphinx (ImportError: gone); install it with "
                                "`make setup`, or run with --asr confusions")

    monkeypatch.setattr(channel, "make_channel", missing)
    status = command.run_simulate_population(_args(phrasing="templates", data_dir=None, asr="speech"))
    err = capsys.readouterr().err
    assert status == command.EXIT_USAGE
    assert "pocketsphinx" in err and "--asr confusions" in err


def test_the_hearing_line_sets_the_run_beside_slurp() -> None:
    from rich.console import Console

    from simulator.population.command import hearing

    console = Console(record=True, width=200)
    hearing({"asr": "speech", "word_error_rate": 0.21, "word_errors": {
        "utterances_with_error": 0.5, "substitutions": 3, "deletions": 1, "insertions": 0,
        "class_error_rate": {"action": 0.3}, "by_device": {"living_room_tv": 0.3}, "by_user_decile": [0.1, 0.4]}},
        console)
    text = console.export_text()
    assert "Heard through speech: WER 0.210" in text and "living_room_tv 0.300" in text
    assert "SLURP's recordings: WER 0.081" in text
