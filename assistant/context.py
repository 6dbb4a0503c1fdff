"""Ambient context: what the home knows about a turn, attached to the message metadata."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.home import Home

MAX_TEXT_CHARS = 500
USER_ID_PATTERN = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
REPLACEMENT = "\ufffd"
UNREADABLE_NOTICE = "Some characters in your message could not be read; I removed them."


class UnknownDeviceError(LookupError):
    """The message names a device the home does not have (or one that can't listen)."""


class BadUserIdError(ValueError):
    """A user id that is empty, too long or has characters other than letters, digits, _.@-."""


@dataclass(frozen=True)
class CleanText:
    """User text after cleaning, with a note when something was changed."""

    text: str
    notice: str | None = None


def clean_text(raw: object, limit: int = MAX_TEXT_CHARS) -> CleanText:
    """Make any input safe for every stage after it, and say when something was changed.

    Unreadable text goes first: bytes are decoded as UTF-8 with replacement, and lone UTF-16
    surrogates (what a terminal's stray byte becomes), noncharacters and U+FFFD are removed,
    so the result always encodes to UTF-8 (the MiniLM tokenizer and SQLite need that). Then
    control characters and Rasa's '/intent' trigger syntax go, whitespace is collapsed and
    the length capped.
    """
    text, unreadable = readable(raw)
    text = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in text
    )
    text = " ".join(text.split())
    notices = [UNREADABLE_NOTICE] if unreadable else []
    if text.startswith("/"):
        # A leading slash would let the text force an intent past NLU ("/greet").
        text = text.lstrip("/ ").strip()
    if len(text) > limit:
        cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
        notices.append(f"Your message was {len(text):,} characters; I read the first {len(cut)}.")
        text = cut
    return CleanText(text, " ".join(notices) or None)


def readable(raw: object) -> tuple[str, int]:
    """``raw`` as text that encodes to UTF-8, and how many unreadable characters were dropped.

    Args:
        raw: a str (possibly with lone surrogates), bytes, or anything with a ``str()``.
    """
    if raw is None:
        return "", 0
    if isinstance(raw, (bytes, bytearray)):
        raw = bytes(raw).decode("utf-8", errors="replace")
    text = raw if isinstance(raw, str) else str(raw)
    if text.isascii():
        return text, 0
    kept = [ch for ch in text if not _unreadable(ch)]
    return "".join(kept), len(text) - len(kept)


def safe_for_terminal(raw: object) -> str:
    """Text that any UTF-8 stream can write: unreadable characters become U+FFFD (the chat
    shows and stores what was typed this way, and the runtime then drops them with a notice)."""
    if isinstance(raw, (bytes, bytearray)):
        return bytes(raw).decode("utf-8", errors="replace")
    text = raw if isinstance(raw, str) else str(raw)
    if text.isascii():
        return text
    return "".join(REPLACEMENT if unicodedata.category(ch) == "Cs" else ch for ch in text)


def _unreadable(ch: str) -> bool:
    """A lone surrogate, a noncharacter (U+FDD0..FDEF, U+xFFFE/U+xFFFF) or U+FFFD."""
    code = ord(ch)
    return (0xD800 <= code <= 0xDFFF or 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE
            or ch == REPLACEMENT)


def check_user_id(user_id: str) -> str:
    """Return the user id, or raise BadUserIdError with what is allowed."""
    if not isinstance(user_id, str) or not USER_ID_PATTERN.match(user_id):
        raise BadUserIdError(
            f"invalid user id {user_id!r}: use 1-64 letters, digits, '_', '.', '@' or '-'"
        )
    return user_id


def build_context(home: "Home", device_id: str, events: int = 5) -> dict[str, Any]:
    """The ambient context of a turn spoken to `device_id`, JSON-safe.

    Raises:
        UnknownDeviceError: the home has no such device, or it cannot hear the user.
    """
    device = home.devices.get(device_id)
    if device is None or not device.can_speak:
        speaking = sorted(d.id for d in home.devices.values() if d.can_speak)
        problem = "no device" if device is None else "no microphone on"
        raise UnknownDeviceError(
            f"there is {problem} {device_id!r} in this home; devices you can talk to: "
            + ", ".join(speaking)
        )
    return {
        "device_id": device.id,
        "device_name": device.name,
        "room": device.room,
        "has_screen": device.has_screen,
        "time": home.clock.now.strftime("%H:%M"),
        "time_of_day": home.clock.time_of_day.value,
        "home": home.snapshot(),
        "recent_events": [_event_json(e) for e in home.recent_events(events)],
    }


def _event_json(event: Any) -> Any:
    for name in ("to_dict", "as_dict", "snapshot"):
        if hasattr(event, name):
            return getattr(event, name)()
    return str(event)
