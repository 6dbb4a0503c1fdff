"""Household namespacing: what a client calls "alice" is ``HOME.alice`` inside.

Home names have no '.', so the first '.' of an internal id always ends the home. The runtime's
user ids allow letters, digits and ``_.@-`` up to 64 characters (`assistant.context`).
"""

from __future__ import annotations

import re

HOME_PATTERN = re.compile(r"^[a-z0-9_-]{1,24}$")
CLIENT_ID_PATTERN = re.compile(r"^[A-Za-z0-9_@-]{1,39}$")
SEPARATOR = "."
GUEST = "guest"
DEFAULT_CONVERSATION = "main"


class BadIdError(ValueError):
    """A home, user or conversation id a client may not use (HTTP 422)."""


def check_home(name: str) -> str:
    """The home name, or BadIdError: 1-24 lowercase letters, digits, '_' or '-'."""
    if not isinstance(name, str) or not HOME_PATTERN.match(name):
        raise BadIdError(f"invalid home name {name!r}: use 1-24 lowercase letters, digits, '_' or '-'")
    return name


def check_client_id(value: object, what: str) -> str:
    """A client's user or conversation id, or BadIdError: 1-39 letters, digits, '_', '@' or '-'."""
    if not isinstance(value, str) or not CLIENT_ID_PATTERN.match(value):
        raise BadIdError(f"invalid {what} {value!r}: use 1-39 letters, digits, '_', '@' or '-'")
    return value


def internal_user(home: str, user_id: str) -> str:
    """The runtime's user id for a household's user: ``HOME.user``."""
    return f"{check_home(home)}{SEPARATOR}{check_client_id(user_id, 'user id')}"


def sender_id(home: str, user_id: str, conversation_id: str) -> str:
    """The Rasa conversation id: ``HOME.user~conversation`` (a conversation belongs to a user)."""
    return f"{internal_user(home, user_id)}~{check_client_id(conversation_id, 'conversation id')}"


def client_user(home: str, internal: str) -> str | None:
    """The client's user id of an internal one of this home, or None when it is another home's."""
    prefix = f"{home}{SEPARATOR}"
    return internal[len(prefix):] if internal.startswith(prefix) else None
