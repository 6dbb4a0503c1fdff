"""HTTP to our service (`assistant serve`): every call ends in a typed outcome, never hangs.

A call gives the JSON object the service answered, or a `Failure` saying what went wrong:
nothing listening, too slow, the token refused (401), or an answer that is not ours (not
JSON, too big, not an object, an HTTP error). Nothing here raises for a bad answer.
"""

from __future__ import annotations

import asyncio
import enum
import json
from dataclasses import dataclass
from typing import Any

import aiohttp

from .const import DEFAULT_TIMEOUT, MAX_ANSWER_BYTES


class FailureKind(enum.Enum):
    UNREACHABLE = "unreachable"
    TIMEOUT = "timeout"
    UNAUTHORIZED = "unauthorized"
    MALFORMED = "malformed"
    HTTP_ERROR = "http_error"


@dataclass(frozen=True)
class Failure:
    """Why a call to the service gave no usable answer."""

    kind: FailureKind
    detail: str


@dataclass(frozen=True)
class Answer:
    """A JSON object the service answered with a 2xx status."""

    body: dict[str, Any]


class ServiceClient:
    """One household's connection: the service URL and its bearer token."""

    def __init__(self, session: aiohttp.ClientSession, url: str, token: str,
                 timeout: float = DEFAULT_TIMEOUT) -> None:
        self.url = url.rstrip("/")
        self._session = session
        self._token = token
        self.timeout = timeout

    async def health(self) -> Answer | Failure:
        return await self._call("GET", "/health", auth=False)

    async def home(self) -> Answer | Failure:
        return await self._call("GET", "/api/home")

    async def process(self, request: dict[str, Any]) -> Answer | Failure:
        return await self._call("POST", "/api/conversation/process", request)

    async def push_state(self, device_id: str, state: dict[str, Any]) -> Answer | Failure:
        return await self._call("POST", f"/api/home/devices/{device_id}/state", {"state": state})

    async def _call(self, method: str, path: str, body: Any = None, auth: bool = True) -> Answer | Failure:
        headers = {"Authorization": f"Bearer {self._token}"} if auth else {}
        try:
            async with asyncio.timeout(self.timeout):
                async with self._session.request(method, self.url + path, json=body, headers=headers,
                                                 allow_redirects=False) as response:
                    raw = await _read_capped(response)
                    status = response.status
        except TimeoutError:
            return Failure(FailureKind.TIMEOUT, f"no answer from {self.url} within {self.timeout:g} s")
        except _TooBig as error:
            return Failure(FailureKind.MALFORMED, str(error))
        except (aiohttp.ClientError, OSError, ValueError) as error:
            return Failure(FailureKind.UNREACHABLE, f"{self.url}: {type(error).__name__}: {error}")
        if status == 401:
            return Failure(FailureKind.UNAUTHORIZED, f"{self.url} refused the household token (401)")
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return Failure(FailureKind.MALFORMED if status < 400 else FailureKind.HTTP_ERROR,
                           f"{method} {path} answered {status} with a body that is not JSON: {raw[:80]!r}")
        if not isinstance(data, dict):
            return Failure(FailureKind.MALFORMED, f"{method} {path} answered {type(data).__name__}, not an object")
        if not 200 <= status < 300:
            return Failure(FailureKind.HTTP_ERROR, f"{method} {path} answered {status}: {data.get('error', data)!s:.200}")
        return Answer(data)


class _TooBig(Exception):
    pass


async def _read_capped(response: aiohttp.ClientResponse) -> bytes:
    """The body, or _TooBig as soon as it passes MAX_ANSWER_BYTES (never read whole)."""
    declared = response.content_length
    if declared is not None and declared > MAX_ANSWER_BYTES:
        raise _TooBig(f"the answer is {declared} bytes, over the {MAX_ANSWER_BYTES} byte limit")
    chunks, size = [], 0
    async for chunk in response.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > MAX_ANSWER_BYTES:
            raise _TooBig(f"the answer passed the {MAX_ANSWER_BYTES} byte limit")
        chunks.append(chunk)
    return b"".join(chunks)
