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


INSTALL = PROJECT_ROOT / "scripts" / "install_locked.sh"
# A venv's python that logs how it was called: installing uv puts a uv beside it that logs too
# (and fails when UV_FAILS is set), unless UV_REFUSED is set (uv can't be installed here).
FAKE_PYTHON = """#!/bin/sh
echo "python $*" >> "$CALLS"
case "$*" in
  *uv==*) [ -n "$UV_REFUSED" ] && exit 1
          printf '#!/bin/sh\\necho "uv $*" >> "$CALLS"\\n[ -z "$UV_FAILS" ]\\n' > "$(dirname "$0")/uv"
          chmod +x "$(dirname "$0")/uv" ;;
esac
"""


def _install(tmp_path: Path, *options: str, **env: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").write_text(FAKE_PYTHON)
    (venv / "bin" / "python").chmod(0o755)
    calls = tmp_path / "calls"
    script = f'source "{INSTALL}" && install_locked "{venv}" LOCK {" ".join(options)}'
    done = subprocess.run(["bash", "-c", script], env={"PATH": "/usr/bin:/bin", "CALLS": str(calls), **env},
                          capture_output=True, text=True, timeout=60)
    return done, calls.read_text().splitlines() if calls.exists() else []


def test_the_lock_is_installed_with_the_pinned_uv(tmp_path: Path) -> None:
    done, calls = _install(tmp_path, "--no-deps")
    assert done.returncode == 0, done.stderr
    venv = tmp_path / "venv"
    assert calls[0].startswith("python -m pip install") and calls[0].endswith("uv==0.13.8")
    assert calls[1:] == [f"uv pip install --quiet --python {venv}/bin/python --compile-bytecode --no-deps -r LOCK"]


def test_without_uv_the_lock_is_installed_with_pip(tmp_path: Path) -> None:
    done, calls = _install(tmp_path, "--no-deps", UV_REFUSED="1")
    assert done.returncode == 0, done.stderr
    assert "installing it with pip" in done.stderr
    assert calls[-1] == "python -m pip install --quiet --disable-pip-version-check --no-deps -r LOCK"
    assert not (tmp_path / "venv" / "bin" / "uv").exists()


def test_when_uv_fails_pip_installs_the_lock(tmp_path: Path) -> None:
    done, calls = _install(tmp_path, UV_FAILS="1")
    assert done.returncode == 0, done.stderr
    assert "could not install LOCK: installing it with pip" in done.stderr
    assert [c.split()[0] for c in calls] == ["python", "uv", "python"]
    assert calls[-1] == "python -m pip install --quiet --disable-pip-version-check -r LOCK"
