"""The runtime's side of a repair: the turn's log row keeps the typed repairs its actions
tagged (``evidence["repaired"]``), and when the next turn (or the end of the session) settles
that turn, each repair is counted a win or a loss by the rewrites' rule
(`assistant.learning.outcome.succeeded`: no failure the system saw, and no repeat, rephrase,
complaint, barge-in or giving up after it)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Callable

from assistant.repair.outcome import Repair
from assistant.repair.store import RepairStore, RepairStoreError
from assistant.turn import REPAIRED_KEY

if TYPE_CHECKING:
    from assistant.learning.log import TurnRecord
    from assistant.turn import ActionReport

logger = logging.getLogger(__name__)


def keep_in_log(record: "TurnRecord", report: "ActionReport") -> None:
    """Put the turn's repairs (as its actions tagged them, valid ones only) in its log row."""
    repairs = [r.as_dict() for raw in report.repairs if (r := Repair.decode(raw)) is not None]
    if repairs:
        record.evidence = {**(record.evidence or {}), REPAIRED_KEY: repairs}


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
