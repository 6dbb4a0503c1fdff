"""The action server's endpoint for Rasa, over one pooled keep-alive HTTP session.

Rasa's `EndpointConfig.request` opens a new aiohttp session (a new connection pool, a new TCP
connection) for every action call and closes it after. `PooledEndpointConfig` sends the same
requests through one session per event loop, which keeps its connections to the action
server open between calls. Idle connections are dropped by the client after
`KEEPALIVE_SECONDS`, before the action server (Sanic: 5 s) would close them under a request.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

# Shorter than the action server's keep-alive (Sanic's default is 5 s).
KEEPALIVE_SECONDS = 2.0


class _Borrowed:
    """`async with` on a session that stays open afterwards."""

    def __init__(self, session: Any) -> None:
        self._session = session

    async def __aenter__(self) -> Any:
        return self._session

    async def __aexit__(self, *exc_info: object) -> None:
        return None


@functools.lru_cache(maxsize=None)
def pooled_endpoint_class() -> type:
    """`PooledEndpointConfig`, built on Rasa's class on first use."""
    import aiohttp
    from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

    class PooledEndpointConfig(EndpointConfig):
        """Rasa's EndpointConfig whose requests share one keep-alive session per event loop."""

        _pooled: Any = None
        _pooled_loop: Any = None

        def session(self) -> Any:
            loop = asyncio.get_running_loop()
            if self._pooled is None or self._pooled.closed or self._pooled_loop is not loop:
                auth = None
                if self.basic_auth:
                    auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
                self._pooled = aiohttp.ClientSession(
                    headers=self.headers, auth=auth,
                    timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
                    connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS, limit=8))
                self._pooled_loop = loop
            return _Borrowed(self._pooled)

        async def aclose(self) -> None:
            """Close the pooled session (its connections)."""
            if self._pooled is not None and not self._pooled.closed:
                await self._pooled.close()
            self._pooled = None

    return PooledEndpointConfig


def action_endpoint(url: str) -> Any:
    """A pooled endpoint for the action server's webhook ``url``."""
    return pooled_endpoint_class()(url=url)
