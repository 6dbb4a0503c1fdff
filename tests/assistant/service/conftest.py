"""The real server for test_server.py: one `assistant serve` process, two households."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests

from assistant.paths import PROJECT_ROOT

ASSISTANT = str(Path(sys.executable).parent / "assistant")
START_SECONDS = 240
STORE_ENV = ("ASSISTANT_PREFS_URL", "ASSISTANT_LEARNING_URL", "ASSISTANT_SERVICE_URL", "ASSISTANT_TRACKER_URL",
             "ASSISTANT_LOCK_URL")


@dataclass
class Client:
    base: str
    token: str | None

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return {**headers, **(extra or {})}

    def post(self, path: str, body: Any = None, *, raw: bytes | None = None,
             headers: dict[str, str] | None = None) -> requests.Response:
        data = raw if raw is not None else json.dumps(body).encode()
        return requests.post(self.base + path, data=data, headers=self.headers(headers), timeout=60)

    def get(self, path: str, **params: Any) -> requests.Response:
        return requests.get(self.base + path, params=params, headers=self.headers(), timeout=60)

    def delete(self, path: str) -> requests.Response:
        return requests.delete(self.base + path, headers=self.headers(), timeout=60)

    def turn(self, text: str, device: str = "kitchen_speaker", **fields: Any) -> dict[str, Any]:
        answer = self.post("/api/turn", {"text": text, "device_id": device, **fields})
        assert answer.status_code == 200, answer.text
        return answer.json()


@dataclass
class Server:
    root: Path
    base: str
    north: Client
    south: Client
    revoked: Client
    process: subprocess.Popen


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _home_file(root: Path, name: str, kitchen_user: str | None, home_user: str | None) -> Path:
    text = (PROJECT_ROOT / "assistant" / "homes" / "default.yml").read_text()
    text = text.replace("name: default", f"name: {name}" + (f"\ndefault_user: {home_user}" if home_user else ""))
    if kitchen_user:
        text = text.replace("capabilities: [media, speak, timer]}\n  - {id: bedroom_speaker",
                            f"capabilities: [media, speak, timer], default_user: {kitchen_user}}}\n"
                            "  - {id: bedroom_speaker", 1)
    path = root / f"{name}.yml"
    path.write_text(text)
    return path


def _tokens(root: Path) -> tuple[str, str, str]:
    from assistant.service.tables import ServiceDB
    from assistant.service.tokens import TokenStore

    db = ServiceDB.open(root / "service.db")
    try:
        store = TokenStore(db)
        north, south = store.create("north")[1], store.create("south")[1]
        info, revoked = store.create("north")
        store.revoke(info.id)
        return north, south, revoked
    finally:
        db.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, trained_model: Path) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("serve")
    (root / "models").mkdir()
    for file in (trained_model, trained_model.parent / "fingerprint.json"):
        if file.exists():
            (root / "models" / file.name).write_bytes(file.read_bytes())
    north_file = _home_file(root, "north", kitchen_user="alice", home_user="dana")
    south_file = _home_file(root, "south", kitchen_user=None, home_user=None)
    north, south, revoked = _tokens(root)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in STORE_ENV}
    log = (root / "server.log").open("w")
    process = subprocess.Popen(
        [ASSISTANT, "serve", "--port", str(port), "--data-dir", str(root),
         "--home", str(north_file), "--home", str(south_file)],
        cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_SECONDS
    while True:
        if process.poll() is not None:
            pytest.fail(f"the server exited ({process.returncode}): {(root / 'server.log').read_text()[-3000:]}")
        try:
            if requests.get(base + "/health", timeout=5).status_code == 200:
                break
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the server did not start in {START_SECONDS} s")
        time.sleep(0.5)
    try:
        yield Server(root, base, Client(base, north), Client(base, south), Client(base, revoked), process)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
