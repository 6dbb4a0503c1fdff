"""The runtime's side of a repair: the turn's log row keeps the typed repairs its actions
tagged (``evidence["repaired"]``), and when the next turn (or the end of the session) settles
that turn, each repair is counted a win or a loss by the rewrites' rule
(`assistant.learning.outcome.succeeded`: no failure the system saw, and no repeat, rephrase,
complaint, barge-in or giving up after it)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Callable

from assistant.repair.outcome import Kind, Repair
from assistant.repair.store import RepairStore, RepairStoreError
from assistant.turn import REPAIRED_KEY

if TYPE_CHECKING:
    from assistant.learning.log import TurnRecord
    from assistant.turn import ActionReport

logger = logging.getLogger(__name__)


# The NLU entity a repaired value of each kind is (the domain has none for teams and cuisines).
NLU_ENTITY = {Kind.TITLE: "media_title", Kind.ARTIST: "artist", Kind.GENRE: "genre", Kind.CITY: "city",
              Kind.DEVICE: "device", Kind.ROOM: "room"}
REPAIR_EXTRACTOR = "repair"


def keep_in_log(record: "TurnRecord", report: "ActionReport") -> None:
    """Put the turn's repairs (as its actions tagged them, valid ones only) in its log row, and
    each repaired value as an entity on the words it was heard as (``extractor: "repair"``, in
    place of what NLU read there): the self-labelled example of the turn, or of the failed turn
    it fixed, then learns the entity on the user's own words ("[maj and dragons]" as the artist
    Imagine Dragons), not the intent alone."""
    repairs = [r for raw in report.repairs if (r := Repair.decode(raw)) is not None]
    if not repairs:
        return
    record.evidence = {**(record.evidence or {}), REPAIRED_KEY: [r.as_dict() for r in repairs]}
    for repair in repairs:
        name = NLU_ENTITY.get(repair.kind)
        where = find(repair.heard, record.text) if name else None
        if name is None or where is None:
            continue
        start, end = where
        record.entities = [e for e in record.entities if not _overlaps(e, start, end)] + [
            {"entity": name, "value": repair.value, "start": start, "end": end, "extractor": REPAIR_EXTRACTOR}]
        record.entities.sort(key=lambda e: e["start"] if isinstance(e.get("start"), int) else -1)


def find(words: str, text: str) -> tuple[int, int] | None:
    """Where ``words`` occur in ``text`` (case-insensitive, whole words), or None."""
    import re

    words = words.strip()
    if not words:
        return None
    match = re.search(r"(?<![\w'])" + re.escape(words) + r"(?![\w'])", text, re.IGNORECASE)
    return (match.start(), match.end()) if match else None


def _overlaps(entity: dict[str, Any], start: int, end: int) -> bool:
    s, e = entity.get("start"), entity.get("end")
    return isinstance(s, int) and isinstance(e, int) and s < end and start < e


def repairs_of(record: "TurnRecord") -> list[Repair]:
    """The repairs a logged turn applied (an entry that can't be read is skipped, logged)."""
    raw: Any = (record.evidence or {}).get(REPAIRED_KEY) or []
    found = []
    for entry in raw if isinstance(raw, list) else [raw]:
        repair = Repair.decode(entry)
        if repair is None:
            logger.warning("turn %s: a repair entry skipped (unreadable): %.80r", record.id, entry)
        else:
            found.append(repair)
    return found


def count_outcome(record: "TurnRecord", won: bool, learning_url: Callable[[], str]) -> int:
    """Count each repair of the turn as a win or a loss (globally and for its user), in the
    learning database ``learning_url()`` names (asked only when there is a repair); how many
    were counted. A store that fails is logged; the turn goes on."""
    repairs = repairs_of(record)
    if not repairs:
        return 0
    store = _store(learning_url())
    if store is None:
        return 0
    counted = 0
    for repair in repairs:
        try:
            store.record_outcome(repair, record.user_id, won)
            counted += 1
        except RepairStoreError as error:
            logger.error("%s", error)
    return counted


def clear(learning_url: str) -> None:
    """Empty the repair table (a clean learning state)."""
    store = _store(learning_url)
    if store is not None:
        store.clear()


def forget_user(learning_url: str, user_id: str) -> int:
    """Delete one user's own repair records."""
    store = _store(learning_url)
    return store.forget_user(user_id) if store is not None else 0


def _store(learning_url: str) -> RepairStore | None:
    from assistant.repair.apply import store_for

    return store_for({"learning": {"store": learning_url}})
