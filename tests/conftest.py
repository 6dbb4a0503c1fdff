"""Shared fixtures. Tests marked `stack` run through the real stack: the trained Rasa
model, a real action server process and SQLite files in a temporary data folder."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Iterator

import pytest

from assistant.paths import DEFAULT_DATA_DIR, DataDir

pytest_plugins = ["tests.servers"]   # real PostgreSQL and Redis (postgres_url, redis_url)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "stack" in item.fixturenames or "runtime" in item.fixturenames:
            item.add_marker(pytest.mark.stack)


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """The project's model, trained now if missing or stale (as `make test` does first). The
    suite's worker processes (pytest-xdist) take turns: one trains, the others then find it fresh."""
    import fcntl

    from assistant import training

    data = DataDir(DEFAULT_DATA_DIR)
    data.root.mkdir(parents=True, exist_ok=True)
    with open(data.root / ".tests-train.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        training.train(data)
    return data.model_file


@pytest.fixture(scope="session")
def stack_dir(tmp_path_factory: pytest.TempPathFactory, trained_model: Path) -> Path:
    """A fresh data folder for the session's real-stack tests (own tracker store, logs)."""
    root = tmp_path_factory.mktemp("stack-data")
    (root / "models").mkdir()
    shutil.copy(trained_model, root / "models" / trained_model.name)
    return root


@pytest.fixture(scope="session")
def runtime(stack_dir: Path) -> Iterator["object"]:
    """One real runtime for the session; tests reset the home and users they use. "Forget
    everything about me" forgets everywhere, as in the chat and the service."""
    from assistant.home import Home
    from assistant.privacy import forget_everywhere
    from assistant.runtime import Runtime

    rt = Runtime.start(stack_dir, Home.default(), forget=forget_everywhere)
    try:
        yield rt
    finally:
        rt.close()


@pytest.fixture
def fresh(runtime):
    """The session runtime with a fresh default home."""
    from assistant.home import Home

    runtime.replace_home(Home.default())
    return runtime
