"""This user's own history, for the personal prior: the values their turns acted on.

Read from the interaction log (the `turns` table of the learning database the message names):
the entities of the user's recent turns that went through without a problem the system saw (a
play that played, a forecast given, a device changed), by kind. Read-only and bounded (the last
`RECENT` turns); a log that can't be read gives no history, logged, and the turn goes on. A row
whose entities can't be read is skipped.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from assistant.repair.outcome import Kind

logger = logging.getLogger(__name__)
RECENT = 300
# The NLU entities whose values are a kind's values.
KIND_OF_ENTITY = {"media_title": Kind.TITLE, "artist": Kind.ARTIST, "genre": Kind.GENRE, "city": Kind.CITY,
                  "device": Kind.DEVICE, "room": Kind.ROOM}


def logged_values(engine: Any, user_id: str, recent: int = RECENT) -> dict[Kind, list[str]]:
    """The values of the user's recent turns that worked, by kind (most recent first)."""
    import sqlalchemy as sa

    query = sa.text("SELECT id, entities, problems, refused FROM turns WHERE user_id = :user "
                    "ORDER BY id DESC LIMIT :recent")
    try:
        with engine.connect() as conn:
            rows = list(conn.execute(query, {"user": user_id, "recent": int(recent)}))
    except Exception as error:  # noqa: BLE001 - no history is better than no turn
        logger.warning("no logged history for %r: %s", user_id, error)
        return {}
    found: dict[Kind, list[str]] = {}
    for turn_id, entities, problems, refused in rows:
        try:
            if json.loads(problems or "[]") or json.loads(refused or "[]"):
                continue
            for entity in json.loads(entities or "[]"):
                kind = KIND_OF_ENTITY.get(str(entity.get("entity")))
                value = entity.get("value")
                if kind is not None and isinstance(value, str) and value.strip():
                    value = _as_candidate(kind, value)
                    if value:
                        found.setdefault(kind, []).append(value)
        except (TypeError, ValueError, AttributeError) as error:
            logger.warning("turn %s skipped for the history: %s", turn_id, error)
    return found


def _as_candidate(kind: Kind, value: str) -> str | None:
    """A device word as its kind ("lights" -> "light"), a room word as its room; else the value."""
    from assistant.catalog import load_catalog

    if kind is Kind.DEVICE:
        return load_catalog().device_kind_for(value)
    if kind is Kind.ROOM:
        return load_catalog().room_for(value)
    return value
