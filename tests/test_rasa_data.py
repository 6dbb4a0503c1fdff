"""Rasa's own checks on the training data and the trained model."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from assistant.paths import PROJECT_ROOT

ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "RASA_TELEMETRY_ENABLED": "false"}


def _rasa(*args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rasa", *args], cwd=PROJECT_ROOT, env=ENV,
                          capture_output=True, text=True, timeout=timeout)


def test_rasa_data_validate_passes_without_warnings() -> None:
    done = _rasa("data", "validate", "--domain", "domain", "--data", "stories",
                 "--config", "config.yml", "--fail-on-warnings")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def test_test_stories_pass(trained_model: Path, tmp_path: Path) -> None:
    done = _rasa("test", "core", "--model", str(trained_model), "--stories", "tests/test_stories",
                 "--fail-on-prediction-errors", "--out", str(tmp_path))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert (tmp_path / "story_report.json").exists()
