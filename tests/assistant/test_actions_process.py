"""The action server dies with its parent, however the parent dies (issue 18)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from assistant.action_server import PROCESS_MODULE
from assistant.actions_process import parent_gone, set_parent_death_signal, watch_parent
from assistant.paths import PROJECT_ROOT

LAUNCHER = """
import sys, time
from pathlib import Path
from assistant.action_server import ActionServer
server = ActionServer(log_path=Path(sys.argv[1]), startup_timeout=120).start()
print(server._proc.pid, flush=True)
time.sleep(600)
"""


def _running(pid: int) -> bool:
    """True while the process exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def test_watchdog_notices_a_parent_that_is_gone() -> None:
    called = threading.Event()
    watch_parent(os.getppid() + 100_000, interval=0.01, on_orphan=called.set)
    assert called.wait(2.0)


def test_watchdog_stays_quiet_while_the_parent_lives() -> None:
    called = threading.Event()
    watch_parent(os.getppid(), interval=0.01, on_orphan=called.set)
    assert not called.wait(0.2)
    assert not parent_gone(os.getppid())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux only")
def test_parent_death_signal_is_available() -> None:
    assert set_parent_death_signal(0)   # 0 clears it again: only checks the call works


def test_the_server_runs_through_the_guard_module() -> None:
    assert PROCESS_MODULE == "assistant.actions_process"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc")
@pytest.mark.parametrize("kill", [signal.SIGKILL, signal.SIGTERM], ids=["sigkill", "sigterm"])
def test_killing_the_launcher_leaves_no_orphan(tmp_path: Path, kill: signal.Signals) -> None:
    launcher = subprocess.Popen([sys.executable, "-c", LAUNCHER, str(tmp_path / "actions.log")],
                                cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True)
    try:
        line = launcher.stdout.readline() if launcher.stdout else ""
        assert line.strip().isdigit(), f"the launcher did not start a server: {line!r}"
        child = int(line)
        assert _running(child)
        launcher.send_signal(kill)
        launcher.wait(timeout=10)
        deadline = time.monotonic() + 15
        while _running(child) and time.monotonic() < deadline:
            time.sleep(0.1)
        orphaned = _running(child)
        if orphaned:
            os.kill(child, signal.SIGKILL)
        assert not orphaned, "the action server outlived its parent"
    finally:
        if launcher.poll() is None:
            launcher.kill()
            launcher.wait()


def test_the_exit_code_of_rasa_sdk_is_kept_by_the_quick_exit() -> None:
    """The process leaves with os._exit after rasa_sdk returns; a command-line error still
    exits 2 (argparse) with its message."""
    bad = subprocess.run([sys.executable, "-m", PROCESS_MODULE, "--port", "not-a-port"], cwd=PROJECT_ROOT,
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "--port" in bad.stderr



def test_a_stopped_action_server_leaves_cleanly(tmp_path: Path) -> None:
    """SIGTERM stops rasa_sdk's server, which returns; the quick exit then leaves with code 0."""
    from assistant.action_server import ActionServer

    server = ActionServer(log_path=tmp_path / "action_server.log", startup_timeout=120).start()
    process = server._proc
    assert process is not None and server.warm_up()
    server.stop()
    assert process.returncode == 0
