"""The recogniser's settings for a run: its acoustic model, language model, dictionary, speed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from simulator.speech.engine import general_settings


def recognizer_settings(data_dir: Path | None) -> dict[str, Any]:
    """pocketsphinx's settings (the language model is built into ``data_dir/speech`` on first use)."""
    return general_settings()
