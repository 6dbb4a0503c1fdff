"""Labels of rewritten turns taught their entities on the words the user was heard saying.

A request that a phrase rule, a mined pair or the user's own correction rewrote ("whats the
whether in paris" -> "whats the weather in paris") worked; NLU read its entities in the rewritten
text, at the rewritten text's offsets. Its self-label is on the heard words, so the entities are
placed back on them (`entities.place`: the same words, or as many words that sound alike; else
the heard words the rewrite replaced, found by aligning the two texts word by word), and the
model learns the entity where the user will be heard saying it again. (An entity repair
writes its value on the heard words in the log row itself: `assistant.repair.settle.keep_in_log`.)

Applied to accepted labels, outside the label features (`assistant.shipped.FEATURE_CODE`): the
shipped label model scores the same candidates; this only changes what an accepted label teaches.
"""

from __future__ import annotations

import re
from dataclasses import replace
from difflib import SequenceMatcher
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from assistant.selflearn import entities as ent

if TYPE_CHECKING:
    from assistant.learning.log import TurnRecord
    from assistant.selflearn.candidates import Label


def with_rewrites(labels: Sequence["Label"], records: Mapping[int, "TurnRecord"]) -> list["Label"]:
    """The labels, a rewritten turn's self-label with what NLU read after the rewrite placed on
    the heard words."""
    out = []
    for label in labels:
        turn = records.get(label.turn_id)
        if turn is None or label.source_turn_id != label.turn_id or not turn.text_rewritten \
                or turn.text != label.text:
            out.append(label)
            continue
        placed = [where for entity in turn.entities or []
                  if (where := _carried(entity, turn.text_rewritten, label.text)) is not None]
        entities = tuple(sorted((e["entity"], e["value"], e["start"], e["end"]) for e in placed))
        out.append(label if entities == label.entities else replace(label, entities=entities))
    return out


_WORD = re.compile(r"\S+")


def _carried(entity: Any, rewritten: str, heard: str) -> dict[str, Any] | None:
    """One entity of the rewritten text on the heard text: placed by its words or their sound,
    else on the heard words aligned with its own."""
    if not isinstance(entity, dict):
        return None
    placed = ent.place([entity], rewritten, heard)
    if placed:
        return placed[0]
    start, end = entity.get("start"), entity.get("end")
    if not isinstance(start, int) or not isinstance(end, int) or not entity.get("value"):
        return None
    said = [m.span() for m in _WORD.finditer(rewritten)]
    words = [m.span() for m in _WORD.finditer(heard)]
    inside = [i for i, (s, e) in enumerate(said) if s >= start and e <= end]
    if not inside:
        return None
    first, last = inside[0], inside[-1]
    matcher = SequenceMatcher(a=[rewritten[s:e].lower() for s, e in said],
                              b=[heard[s:e].lower() for s, e in words], autojunk=False)
    lo = hi = None
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if j1 == j2:
            continue
        if i1 <= first < i2:
            lo = j1 + (first - i1) if tag == "equal" else j1
        if i1 <= last < i2:
            hi = j1 + (last - i1) if tag == "equal" else j2 - 1
    if lo is None or hi is None or hi < lo:
        return None
    return {"entity": entity["entity"], "value": entity["value"], "start": words[lo][0], "end": words[hi][1]}
