"""Start the rasa_sdk action server as a real process on a free local port, and health-check it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from assistant.actions_process import DEATH_SIGNAL_ENV, PARENT_PID_ENV
from assistant.paths import PREFS_URL_ENV, PROJECT_ROOT, DataDir

ACTIONS_PACKAGE = "assistant.actions"
# Runs rasa_sdk after making sure the server dies with this process (assistant.actions_process).
PROCESS_MODULE = "assistant.actions_process"


class ActionServerError(ConnectionError):
    """The action server could not be started or stopped answering."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ActionServer:
    """A running rasa_sdk process serving `assistant.actions`, which exits when this process dies."""

    log_path: Path
    port: int = 0
    startup_timeout: float = 60.0
    env: dict[str, str] = field(default_factory=dict)
    _proc: subprocess.Popen | None = field(default=None, repr=False)

    @classmethod
    def for_data(cls, data: DataDir) -> "ActionServer":
        """An action server whose logs and preference store are in this data folder."""
        return cls(log_path=data.logs / "action_server.log", env={PREFS_URL_ENV: data.prefs_url})

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def webhook(self) -> str:
        return f"{self.url}/webhook"

    def start(self) -> "ActionServer":
        """Start the process and wait until /health answers; raise ActionServerError if not."""
        if self.port == 0:
            self.port = free_port()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("a", encoding="utf-8")
        env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "PYTHONUNBUFFERED": "1", **self.env,
               PARENT_PID_ENV: str(os.getpid()),
               # The kernel's parent-death signal follows the starting thread: only the main
               # thread lives as long as this process (the pid watchdog covers the rest).
               DEATH_SIGNAL_ENV: "1" if threading.current_thread() is threading.main_thread() else "0"}
        self._proc = subprocess.Popen(
            [sys.executable, "-m", PROCESS_MODULE, "--actions", ACTIONS_PACKAGE,
             "--port", str(self.port)],
            cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        log.close()
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise ActionServerError(
                    f"the action server exited with code {self._proc.returncode} while starting; "
                    f"see {self.log_path}:\n{self._log_tail()}"
                )
            if self.healthy():
                return self
            time.sleep(0.2)
        self.stop()
        raise ActionServerError(
            f"the action server did not answer on {self.url}/health within "
            f"{self.startup_timeout:.0f} s; see {self.log_path}"
        )

    def healthy(self, timeout: float = 1.0) -> bool:
        """True when the process runs and /health says ok."""
        if self._proc is None or self._proc.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(f"{self.url}/health", timeout=timeout) as response:
                return json.loads(response.read()).get("status") == "ok"
        except (urllib.error.URLError, OSError, ValueError):
            return False

    def warm_up(self, timeout: float = 120.0) -> bool:
        """Run action_warm_up (loads spaCy and the store) so the first real turn is quick.
        False when it failed; the turns still work, only the first statement is slower."""
        body = {"next_action": "action_warm_up", "sender_id": "warm-up", "domain": {},
                "tracker": {"sender_id": "warm-up", "slots": {}, "latest_message": {}, "events": [],
                            "paused": False, "followup_action": None, "active_loop": {},
                            "latest_action_name": None}}
        request = urllib.request.Request(self.webhook, data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError, ValueError):
            return False

    def alive(self) -> bool:
        """True while the process has not exited (cheap: no request)."""
        return self._proc is not None and self._proc.poll() is None

    def stop(self) -> None:
        """Terminate the process (idempotent)."""
        if self._proc is None:
            return
        if self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(timeout=5)
        self._proc = None

    def _log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_path.read_text(encoding="utf-8").splitlines()[-lines:])
        except OSError:
            return "(no log)"
