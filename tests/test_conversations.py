"""Regression conversations: every file in tests/conversations through the real stack."""

from __future__ import annotations

from pathlib import Path

import pytest

CONVERSATIONS = sorted((Path(__file__).parent / "conversations").glob("*.yml"))


@pytest.mark.parametrize("path", CONVERSATIONS, ids=[p.stem for p in CONVERSATIONS])
def test_conversation(path: Path, runtime) -> None:
    from simulator.scenario import format_failure, load_scenario, run_scenario

    report = run_scenario(load_scenario(path), runtime, preferences=runtime.preference,
                          forget=runtime.preferences.forget)
    assert report.turns > 0
    assert report.failed == 0, "\n" + "\n".join(format_failure(f) for f in report.failures)


def test_there_are_conversations() -> None:
    assert len(CONVERSATIONS) >= 5
