"""HTTP errors as JSON: what each failure means to a caller."""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)


class HttpError(Exception):
    """An answer other than 200, with a message for the caller."""

    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"error": self.message, "status": self.status, **self.extra}


def http_error(error: BaseException) -> HttpError:
    """The HTTP answer for an exception a handler let through."""
    from assistant.context import BadUserIdError, UnknownDeviceError
    from assistant.service.homes import UnknownHomeError
    from assistant.service.idempotency import BadKeyError
    from assistant.service.ids import BadIdError

    if isinstance(error, HttpError):
        return error
    if isinstance(error, (UnknownDeviceError, UnknownHomeError)):
        return HttpError(404, str(error).strip("'\""))
    if isinstance(error, (BadIdError, BadUserIdError, BadKeyError)):
        return HttpError(422, str(error))
    if _is_unavailable(error):
        logger.error("a store or the action server is unavailable: %s", error)
        return HttpError(503, f"temporarily unavailable: {_short(error)}", retry=True)
    logger.exception("unexpected error in a request", exc_info=error)
    return HttpError(500, f"internal error ({type(error).__name__})")


def _is_unavailable(error: BaseException) -> bool:
    """A store that went away, or the action server: the caller may retry (503)."""
    names = {"ServiceStoreError", "PreferenceStoreError", "InteractionLogError", "HabitStoreError",
             "RewriteStoreError", "ActionServerError", "OperationalError", "DisconnectionError",
             "InterfaceError", "DatabaseError", "ConnectionError", "LockError", "TimeoutError"}
    seen: BaseException | None = error
    while seen is not None:
        if any(cls.__name__ in names for cls in type(seen).__mro__):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _short(error: BaseException) -> str:
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    # A database URL can carry a password: never echo one.
    return text if "://" not in text else type(error).__name__
