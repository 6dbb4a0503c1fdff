"""`assistant bench-serve`'s servers: one `assistant serve` process each (restartable, its
CPU counted with its action server's), and the households and tokens they serve."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.home.loader import default_home_path
from assistant.paths import PROJECT_ROOT, DataDir
from lab.evaluation.serve_traffic import HOMES

# The same for every server process, one server or two: BLAS, TensorFlow and torch on one thread.
THREAD_ENV = {
    "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
    "TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1",
    "TOKENIZERS_PARALLELISM": "false",
}
STORE_ENV = ("ASSISTANT_PREFS_URL", "ASSISTANT_LEARNING_URL", "ASSISTANT_SERVICE_URL",
             "ASSISTANT_TRACKER_URL", "ASSISTANT_LOCK_URL")
START_SECONDS = 300.0


@dataclass
class ServeProcess:
    """One `assistant serve` process and what it needs to be restarted."""

    index: int
    root: Path
    port: int
    command: list[str]
    env: dict[str, str]
    process: subprocess.Popen | None = None
    log: Any = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.log = (self.root / "serve.log").open("a")
        self.process = subprocess.Popen(self.command, cwd=PROJECT_ROOT, env=self.env, stdout=self.log,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill9(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        if self.log is not None:
            self.log.close()
            self.log = None

    def cpu_seconds(self) -> float:
        """User + system CPU of the server and its children (the action server) so far."""
        return tree_cpu(self.process.pid) if self.process is not None and self.alive() else 0.0


def tree_cpu(pid: int) -> float:
    import psutil

    try:
        root = psutil.Process(pid)
        total = 0.0
        for proc in [root, *root.children(recursive=True)]:
            try:
                times = proc.cpu_times()
                total += times.user + times.system
            except psutil.Error:
                pass
        return total
    except psutil.Error:
        return 0.0


def _assistant() -> str:
    return str(Path(sys.executable).parent / "assistant")


def _home_file(root: Path, name: str) -> Path:
    text = default_home_path().read_text(encoding="utf-8")
    path = root / f"{name}.yml"
    path.write_text(text.replace("name: default", f"name: {name}", 1), encoding="utf-8")
    return path


async def wait_healthy(server: ServeProcess, session: Any, timeout: float = START_SECONDS) -> float:
    """Seconds until the server's /health says 200 (raises when it exits or times out)."""
    start = time.monotonic()
    while True:
        if not server.alive():
            tail = (server.root / "serve.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"server {server.index} exited: {tail}")
        try:
            async with session.get(server.base + "/health", timeout=5) as answer:
                if answer.status == 200:
                    return time.monotonic() - start
        except Exception:  # noqa: BLE001 - not up yet
            pass
        if time.monotonic() - start > timeout:
            raise RuntimeError(f"server {server.index} did not become healthy in {timeout:.0f} s")
        await asyncio.sleep(0.25)


@dataclass
class Bench:
    root: Path
    db_url: str
    redis_url: str
    model: Path
    tokens: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)

    def prepare(self) -> None:
        base = {k: v for k, v in os.environ.items() if k not in STORE_ENV}
        base.update(THREAD_ENV)
        base.update({"RASA_TELEMETRY_ENABLED": "false", "PYTHONUNBUFFERED": "1"})
        self.env = base
        for home in HOMES:
            run = subprocess.run([_assistant(), "tokens", "create", "--home", home, "--db", self.db_url,
                                  "--data-dir", str(self.root / "tokens")], env=base, cwd=PROJECT_ROOT,
                                 capture_output=True, text=True, timeout=300)
            if run.returncode != 0:
                raise RuntimeError(f"assistant tokens create failed: {run.stderr[-1500:]}")
            self.tokens[home] = run.stdout.strip().splitlines()[-1]

    def server(self, index: int) -> ServeProcess:
        from lab.evaluation.local_servers import free_port

        root = self.root / f"server{index}"
        data = DataDir(root).ensure()
        if not data.model_file.exists():
            shutil.copy(self.model, data.model_file)
        homes = [_home_file(self.root, name) for name in HOMES]
        port = free_port()
        command = [_assistant(), "serve", "--port", str(port), "--data-dir", str(root),
                   "--db", self.db_url, "--redis", self.redis_url]
        for home in homes:
            command += ["--home", str(home)]
        return ServeProcess(index, root, port, command, self.env)


def own_cpu() -> float:
    """This process's CPU seconds (the load client), its children left out."""
    times = os.times()
    return times.user + times.system


def machine_busy_cpu() -> float:
    """CPU seconds all processes on this machine spent so far (every core, not idle)."""
    import psutil

    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


def db_processes_cpu(pg_pid: int | None, redis_pid: int) -> float:
    return (tree_cpu(pg_pid) if pg_pid else 0.0) + tree_cpu(redis_pid)
