"""The action server's own process: it dies with the process that started it, however that
one dies (``kill -9`` included), then runs rasa_sdk.

Two guards, because either alone has a gap: the kernel's parent-death signal (Linux
``prctl(PR_SET_PDEATHSIG)``; it follows the *thread* that started the child, so the parent
asks for it only from its main thread), and a watchdog thread that polls the parent's pid and
exits once this process has been re-parented.

Run as ``python -m assistant.actions_process --actions assistant.actions --port N`` with
``ASSISTANT_PARENT_PID`` set (and ``ASSISTANT_PARENT_DEATH_SIGNAL=1`` for the kernel guard).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from typing import Callable

PARENT_PID_ENV = "ASSISTANT_PARENT_PID"
DEATH_SIGNAL_ENV = "ASSISTANT_PARENT_DEATH_SIGNAL"
PR_SET_PDEATHSIG = 1
WATCH_SECONDS = 0.5
ORPHAN_EXIT_CODE = 3


def set_parent_death_signal(sig: int = signal.SIGTERM) -> bool:
    """Ask Linux to send ``sig`` to this process when its parent (thread) dies; False where
    that is not available (not Linux, no libc)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def parent_gone(parent_pid: int) -> bool:
    """True once this process no longer has ``parent_pid`` as its parent."""
    return os.getppid() != parent_pid


def watch_parent(parent_pid: int, interval: float = WATCH_SECONDS,
                 on_orphan: Callable[[], None] | None = None) -> threading.Thread:
    """Start a daemon thread that calls ``on_orphan`` (default: exit at once) when the parent
    is gone."""

    def leave() -> None:
        os._exit(ORPHAN_EXIT_CODE)   # no cleanup to wait for: the stores commit per write

    def watch() -> None:
        while not parent_gone(parent_pid):
            time.sleep(interval)
        (on_orphan or leave)()

    thread = threading.Thread(target=watch, name="parent-watch", daemon=True)
    thread.start()
    return thread


def guard_from_environment() -> int | None:
    """Install the guards the environment asks for; the parent pid watched, or None."""
    raw = os.environ.get(PARENT_PID_ENV, "")
    if not raw.isdigit():
        return None
    parent = int(raw)
    if os.environ.get(DEATH_SIGNAL_ENV) == "1":
        set_parent_death_signal()
    if parent_gone(parent):   # it died before the guards were in place
        os._exit(ORPHAN_EXIT_CODE)
    watch_parent(parent)
    return parent


def main() -> None:
    """Guard, then hand the command line to rasa_sdk; once its server has stopped, leave
    without the interpreter's teardown (seconds of freeing spaCy and Rasa objects, which made
    every stop of the stack wait): the stores commit per write, so nothing is left to save."""
    guard_from_environment()
    import logging

    from rasa_sdk.__main__ import main as rasa_sdk_main

    code = 0
    try:
        rasa_sdk_main()
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
