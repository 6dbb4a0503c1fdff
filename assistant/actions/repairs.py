"""Entity repair as the actions call it (a helper, not an action): the repair of a value that
did not resolve, under the switches and the store the message metadata names, and the typed
tag the reply carries so the runtime can log it and count its win or loss."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from assistant.text import words

if TYPE_CHECKING:
    from assistant.actions.common import TurnContext
    from assistant.repair.outcome import Kind, Repair

MAX_SPAN = 3    # words of a value heard where the intent expects one ("did the worriers win")
# Short words a recogniser makes of a piece of a name ("mexic an", "a talion"): a span may hold
# them, as long as it holds a word outside the request's own words too.
PIECES = frozenset("a an the in of on for to and at i me is are".split())


def repair_entity(tracker: Tracker, ctx: "TurnContext", heard: str | None, kinds: Iterable["Kind"]) -> "Repair | None":
    """The repair of ``heard`` as one of ``kinds`` (None: switched off, or no candidate clearly ahead)."""
    return repair_any(tracker, ctx, [heard] if heard else [], kinds)


def repair_any(tracker: Tracker, ctx: "TurnContext", heard: list[str], kinds: Iterable["Kind"]) -> "Repair | None":
    """The best repair among several heard spans (each tried as one of ``kinds``), or None."""
    from assistant.repair.apply import attempt_any

    metadata: dict[str, Any] = (tracker.latest_message or {}).get("metadata") or {}
    return attempt_any(heard, kinds, metadata=metadata, user_id=ctx.user_id, home=ctx.home, room=ctx.speaking.room)


def repair_in_words(tracker: Tracker, ctx: "TurnContext", kinds: Iterable["Kind"],
                    stop: frozenset[str]) -> "Repair | None":
    """Where the request names no value: each span of its words (at most `MAX_SPAN`) with a word
    outside ``stop`` and none of the request's own words but `PIECES` is tried as a heard value;
    the repair that scores best wins."""
    if not repair_on(tracker):
        return None
    return repair_any(tracker, ctx, spans(ctx.text, stop), kinds)


def repair_on(tracker: Tracker) -> bool:
    """Whether either repair switch is on for the latest message."""
    from assistant.repair.apply import flags_allow

    return flags_allow((tracker.latest_message or {}).get("metadata"))


def spans(text: str, stop: frozenset[str]) -> list[str]:
    """The spans of ``text`` that may be a value heard where the intent expects one."""
    said = words(text)
    hard = stop - PIECES
    found: dict[str, None] = {}
    for first in range(len(said)):
        for size in range(1, MAX_SPAN + 1):
            run = said[first:first + size]
            if len(run) < size or any(w in hard for w in run):
                break
            if any(w not in stop for w in run):
                found[" ".join(run)] = None
    return list(found)


def tag_repair(dispatcher: CollectingDispatcher, repair: "Repair") -> None:
    """Tag the reply with the typed repair (the runtime logs it and counts its outcome)."""
    dispatcher.utter_message(json_message=repair.to_json())
