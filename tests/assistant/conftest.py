"""A fresh preference store in a temporary folder, which the actions and the QueryRewriter
open through ASSISTANT_PREFS_URL, as under the runtime."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from assistant.paths import PREFS_URL_ENV
    from assistant.services import preferences as svc

    monkeypatch.setenv(PREFS_URL_ENV, f"sqlite:///{tmp_path / 'prefs.db'}")
    svc._open.cache_clear()
    yield svc.store()
    svc._open.cache_clear()
