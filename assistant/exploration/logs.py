"""The interaction log the exploration bounds read, per learning database this process serves.

A message names its database (`metadata["learning"]["store"]`); only one a runtime registered
(`assistant.learning.online.register`) is opened, so a message can't point anywhere else.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.learning.log import ExploreHistory, InteractionLog

logger = logging.getLogger(__name__)
_logs: dict[str, "InteractionLog"] = {}
_lock = threading.Lock()


def _log_for(metadata: dict[str, Any]) -> "InteractionLog | None":
    from assistant.learning import online
    from assistant.learning.log import InteractionLog

    name = (metadata.get("learning") or {}).get(online.STORE_KEY)
    with _lock:
        for gone in [url for url in _logs if url not in online._states]:
            _logs.pop(gone).close()   # its runtime closed: don't keep the file open
        if not isinstance(name, str) or name not in online._states:
            return None
        if name not in _logs:
            _logs[name] = InteractionLog.open(name)
        return _logs[name]


def history(metadata: dict[str, Any], user_id: str, text: str) -> "ExploreHistory | None":
    """The user's exploration history, or None when there is no log to read (never asks then)."""
    from assistant.learning.log import InteractionLogError

    try:
        log = _log_for(metadata)
        return None if log is None else log.explore_history(user_id, text)
    except InteractionLogError as error:
        logger.warning("exploration bounds unread, not asking: %s", error)
        return None


def close_all() -> None:
    """Close the logs opened here (tests, shutdown)."""
    with _lock:
        for log in _logs.values():
            log.close()
        _logs.clear()
