"""Rasa's own HTTP server (Sanic, through `rasa.core.run.configure_app`) with our channel."""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import TYPE_CHECKING, Any

from assistant.service.state import MAX_BODY_BYTES

if TYPE_CHECKING:
    from sanic import Sanic

    from assistant.service.state import ServiceState

logger = logging.getLogger(__name__)


def build_app(state: "ServiceState") -> "Sanic":
    """The Sanic app Rasa builds for input channels (no Rasa REST API), with our channel's
    blueprint, JSON errors, a 64 KB body limit and the clock task."""
    from rasa.core.run import configure_app
    from sanic import response
    from sanic.exceptions import SanicException

    from assistant.service import ticker
    from assistant.service.channel import HomeChannel

    app: Sanic = configure_app(input_channels=[HomeChannel(state)], enable_api=False, route=None,
                               use_uvloop=False)
    app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES
    app.config.GRACEFUL_SHUTDOWN_TIMEOUT = 2.0
    app.config.MOTD = False

    def json_error(request: Any, error: Exception) -> Any:
        status = getattr(error, "status_code", 500) if isinstance(error, SanicException) else 500
        message = str(error) if isinstance(error, SanicException) else f"internal error ({type(error).__name__})"
        if status == 413:
            message = f"the body is over {MAX_BODY_BYTES // 1024} KB"
        return response.json({"error": message, "status": status}, status=status)

    app.error_handler.add(SanicException, json_error)
    tasks: list[asyncio.Task[None]] = []

    async def start_clock(app: Any, _loop: Any) -> None:
        tasks.append(asyncio.get_running_loop().create_task(ticker.run(state)))
        host, port = app.config.get("ASSISTANT_BIND", ("?", "?"))
        print(f"Serving {', '.join(state.homes.names())} on http://{host}:{port}", flush=True)

    async def stop_clock(_app: Any, _loop: Any) -> None:
        for task in tasks:
            task.cancel()

    app.register_listener(start_clock, "after_server_start")
    app.register_listener(stop_clock, "before_server_stop")
    return app


def serve(state: "ServiceState", host: str, port: int, verbose: bool = False) -> None:
    """Run the server until it is stopped (SIGINT or SIGTERM); the runtime must be started."""
    app = build_app(state)
    app.config.ASSISTANT_BIND = (host, port)
    try:
        app.run(host=host, port=port, workers=1, access_log=verbose, motd=False)
    finally:
        sys.stdout.flush()
