"""`GET /health`: the model, the action server and each store; no personal data, no URLs."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from assistant.service.state import ServiceState

_ENGINES: dict[str, Any] = {}


def reachable(url: str) -> str | None:
    """None when a SELECT 1 on the database works, else the kind of failure (never the URL,
    which may hold a password)."""
    import sqlalchemy as sa

    from assistant.db import create_engine

    try:
        engine = _ENGINES.get(url)
        if engine is None:
            engine = _ENGINES[url] = create_engine(url)
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        return None
    except Exception as error:  # noqa: BLE001 - a down store is an answer, not a crash
        return type(error).__name__


def redis_reachable(url: str) -> str | None:
    """None when Redis answers a PING (the lock store of several servers), else the failure kind."""
    try:
        import redis

        client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        try:
            client.ping()
        finally:
            client.close()
        return None
    except Exception as error:  # noqa: BLE001
        return type(error).__name__


def model_info(state: "ServiceState") -> dict[str, Any]:
    runtime = state.runtime
    path = runtime.model_path if runtime is not None else state.data.model_file
    fingerprint = None
    try:
        fingerprint = json.loads(state.data.fingerprint_file.read_text()).get("fingerprint")
    except (OSError, ValueError, AttributeError):
        pass
    return {"path": str(path), "fingerprint": fingerprint, "loaded": runtime is not None}


def check(state: "ServiceState",
          extra: dict[str, Callable[[], str | None]] | None = None) -> tuple[int, dict[str, Any]]:
    """(HTTP status, body): 200 when everything is up, else 503. Blocking: run it in the pool."""
    data = state.data
    stores = {"prefs": data.prefs_url, "learning": data.learning_url, "service": data.service_url,
              "tracker": data.tracker_url}
    checks: dict[str, dict[str, Any]] = {}
    for name, url in stores.items():
        problem = reachable(url)
        checks[name] = {"ok": problem is None, **({"error": problem} if problem else {})}
    probes = dict(extra or {})
    lock_url = data.lock_url
    if lock_url:
        probes.setdefault("lock", lambda: redis_reachable(lock_url))
    for name, probe in probes.items():
        problem = probe()
        checks[name] = {"ok": problem is None, **({"error": problem} if problem else {})}
    runtime = state.runtime
    action_server = bool(runtime is not None and runtime.action_server.alive())
    ok = action_server and all(c["ok"] for c in checks.values()) and runtime is not None
    body = {"status": "ok" if ok else "unavailable", "model": model_info(state),
            "action_server": {"ok": action_server}, "stores": checks}
    return (200 if ok else 503), body
