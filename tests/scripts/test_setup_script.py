"""scripts/setup.sh: a clear message without Python 3.10, and nothing reinstalled when current."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

from assistant.paths import PROJECT_ROOT

SCRIPT = PROJECT_ROOT / "scripts" / "setup.sh"
SYSTEM_PYTHONS = [Path("/usr/bin/python3.10"), Path("/usr/local/bin/python3.10")]


def _bin_without_python(tmp_path: Path) -> Path:
    """A PATH folder with the tools the script needs, but no python and no pyenv."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for tool in ("bash", "cat", "sha256sum", "cut", "grep", "sort", "dirname", "env"):
        found = shutil.which(tool)
        assert found, tool
        (bindir / tool).symlink_to(found)
    return bindir


def _run(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {"PATH": str(_bin_without_python(tmp_path)), "HOME": str(tmp_path),
            "VENV": str(tmp_path / "venv")}
    return subprocess.run(["bash", str(SCRIPT)], env={**base, **env}, capture_output=True,
                          text=True, timeout=60)


@pytest.mark.skipif(any(p.exists() for p in SYSTEM_PYTHONS),
                    reason="a system Python 3.10 is installed, so it cannot be missing")
def test_without_python_310_it_says_what_to_install(tmp_path: Path) -> None:
    done = _run(tmp_path, PYTHON=str(tmp_path / "no-such-python"))
    assert done.returncode == 2
    assert "Python 3.10 was not found" in done.stderr
    assert "pyenv install 3.10" in done.stderr
    assert "PYTHON=/path/to/python3.10" in done.stderr
    assert not (tmp_path / "venv").exists()


def test_a_current_venv_is_not_touched(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    python = venv / "bin" / "python"
    python.write_text("#!/bin/sh\necho pip-was-called >> \"$0.calls\"\n")
    python.chmod(0o755)
    lock = (PROJECT_ROOT / "requirements.lock").read_bytes()
    project = (PROJECT_ROOT / "pyproject.toml").read_bytes()
    (venv / ".stamp-install").write_text(hashlib.sha256(lock + project).hexdigest() + "\n")
    done = _run(tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert not Path(str(python) + ".calls").exists()


def test_a_stale_stamp_reinstalls(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / ".stamp-install").write_text("old\n")
    # No Python 3.10 on this PATH: a stale stamp must go looking for one (and say so).
    done = _run(tmp_path, PYTHON=str(tmp_path / "no-such-python"))
    if any(p.exists() for p in SYSTEM_PYTHONS):
        pytest.skip("a system Python 3.10 would be used for the reinstall")
    assert done.returncode == 2
    assert "Python 3.10 was not found" in done.stderr
