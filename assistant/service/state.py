"""What a running service holds: the stores, the runtime and the threads that use them.

Turns run in ONE worker thread (the Runtime owns its own asyncio loop and is not
thread-safe); database reads and the clock run in a small pool, off Sanic's event loop.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from assistant.paths import DataDir
from assistant.service.homes import HomeStore
from assistant.service.idempotency import IdempotencyStore
from assistant.service.tables import ServiceDB
from assistant.service.tokens import TokenStore

if TYPE_CHECKING:
    from assistant.runtime import Runtime
    from assistant.service.turns import TurnService

T = TypeVar("T")
MAX_BODY_BYTES = 64 * 1024


@dataclass
class ServiceState:
    """The service's parts. Build with `ServiceState.open`, then `start_runtime`."""

    data: DataDir
    db: ServiceDB
    tokens: TokenStore
    homes: HomeStore
    keys: IdempotencyStore
    worker: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=1, thread_name_prefix="turns"))
    pool: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=8, thread_name_prefix="service-db"))
    runtime: "Runtime | None" = None
    turns: "TurnService | None" = None
    verbose: bool = False

    @classmethod
    def open(cls, data: DataDir, verbose: bool = False) -> "ServiceState":
        db = ServiceDB.open(data.service_url)
        return cls(data=data, db=db, tokens=TokenStore(db), homes=HomeStore(db), keys=IdempotencyStore(db),
                   verbose=verbose)

    def start_runtime(self, home_name: str) -> "Runtime":
        """Start the Runtime in the worker thread (the thread that will play every turn)."""
        from assistant.privacy import forget_everywhere
        from assistant.runtime import Runtime
        from assistant.service.turns import TurnService

        def start() -> "Runtime":
            home, _ = self.homes.load(home_name)
            return Runtime.start(self.data.root, home, verbose=self.verbose, forget=forget_everywhere)

        self.runtime = self.worker.submit(start).result()
        self.turns = TurnService(self.runtime, self.homes, self.keys)
        return self.runtime

    async def in_pool(self, func: Callable[..., T], *args: Any) -> T:
        """Run a blocking call (a database read) off the event loop."""
        return await asyncio.get_running_loop().run_in_executor(self.pool, func, *args)

    async def in_worker(self, func: Callable[..., T], *args: Any) -> T:
        """Run a call in the runtime's worker thread (turns, the user-data stores)."""
        return await asyncio.get_running_loop().run_in_executor(self.worker, func, *args)

    def close(self) -> None:
        """Stop the runtime (in its thread), the threads and the database (idempotent)."""
        runtime, self.runtime = self.runtime, None
        if runtime is not None:
            try:
                self.worker.submit(runtime.close).result(timeout=60)
            except Exception:  # noqa: BLE001 - closing is best effort; the action server dies with us
                pass
        self.worker.shutdown(wait=False, cancel_futures=True)
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.db.close()
