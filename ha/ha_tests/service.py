"""A real `assistant serve` for the Home Assistant tests: the project's own venv (Python 3.10,
Rasa), the model `make train` made, two households (north and south) and their tokens made with
`assistant tokens create`."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ASSISTANT = ROOT / ".venv" / "bin" / "assistant"
START_SECONDS = 300
STORE_ENV = ("ASSISTANT_PREFS_URL", "ASSISTANT_LEARNING_URL", "ASSISTANT_SERVICE_URL", "ASSISTANT_TRACKER_URL",
             "ASSISTANT_LOCK_URL")


@dataclass
class Service:
    root: Path
    url: str
    tokens: dict[str, str]
    process: subprocess.Popen | None

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(ASSISTANT), "--data-dir", str(self.root), *args], cwd=ROOT, env=_env(),
                              capture_output=True, text=True, timeout=120, check=True)

    def new_token(self, home: str) -> tuple[int, str]:
        made = self.cli("tokens", "create", "--home", home)
        token_id = int(re.search(r"token (\d+) for home", made.stderr).group(1))
        return token_id, made.stdout.strip()

    def get(self, path: str, home: str) -> dict[str, Any]:
        request = urllib.request.Request(self.url + path, headers={"Authorization": f"Bearer {self.tokens[home]}"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.loads(answer.read())

    def device_state(self, home: str, device: str) -> dict[str, Any]:
        return next(d["state"] for d in self.get("/api/home", home)["devices"] if d["id"] == device)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in STORE_ENV and not k.startswith("PYTEST")}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def model_dir() -> Path:
    data = Path(os.environ.get("ASSISTANT_DATA", ROOT / ".data"))
    return (data if data.is_absolute() else ROOT / data) / "models"


def start(root: Path) -> Service:
    """Start the service on a free port with a copy of the trained model; wait until healthy."""
    if not ASSISTANT.exists():
        raise RuntimeError(f"{ASSISTANT} is missing: run `make setup` first")
    models = model_dir()
    if not any(models.glob("*.tar.gz")):
        raise RuntimeError(f"no trained model in {models}: run `make train` first (or set ASSISTANT_DATA)")
    shutil.copytree(models, root / "models")
    homes = []
    for name in ("north", "south"):
        text = (ROOT / "assistant" / "homes" / "default.yml").read_text().replace("name: default", f"name: {name}")
        (root / f"{name}.yml").write_text(text)
        homes += ["--home", str(root / f"{name}.yml")]
    service = Service(root, "", {}, None)
    service.tokens = {home: service.new_token(home)[1] for home in ("north", "south")}
    port = free_port()
    log = (root / "server.log").open("w")
    service.process = subprocess.Popen([str(ASSISTANT), "serve", "--port", str(port), "--data-dir", str(root),
                                        *homes], cwd=ROOT, env=_env(), stdout=log, stderr=subprocess.STDOUT)
    service.url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_SECONDS
    while True:
        if service.process.poll() is not None:
            raise RuntimeError(f"assistant serve exited ({service.process.returncode}): "
                               f"{(root / 'server.log').read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(service.url + "/health", timeout=5) as answer:
                if answer.status == 200:
                    return service
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            service.kill()
            raise RuntimeError(f"assistant serve did not get healthy in {START_SECONDS} s")
        time.sleep(0.5)
