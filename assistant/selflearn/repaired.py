"""Labels taught their entities by the repairs and rewrites that fixed a turn.

A request whose entity was repaired ("play maj and dragons" taken as the artist Imagine Dragons)
or rewritten (a phrase rule, a correction) worked; its label should teach the model the words
the user was heard saying, with the value they meant, so that next time the NLU reads the
entity itself. The candidates place an entity on a turn's words from what NLU read; here, after
scoring, each accepted label gets:

- for a rewritten turn labelled from itself, the entities NLU read in the rewritten text,
  placed back on the heard words (`entities.place`: the same words, or the same number of words
  that sound alike);
- for each repair of the label's turn or of the turn it was labelled from, the repaired value
  on the heard words (the words themselves, or words that sound like them), replacing whatever
  entity sat there.

Kept outside the label features (`assistant.shipped.FEATURE_CODE`): the shipped label model scores
the same candidates; this only changes what an accepted label teaches.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from assistant.selflearn import entities as ent

if TYPE_CHECKING:
    from assistant.learning.log import TurnRecord
    from assistant.selflearn.candidates import Label

# The Rasa entity a repaired value of each kind is (kinds without one, a team or a cuisine,
# are read from the words by the actions and teach no entity).
ENTITY_OF_KIND = {"title": "media_title", "artist": "artist", "genre": "genre", "city": "city",
                  "device": "device", "room": "room"}


def with_repairs(labels: Sequence["Label"], records: Mapping[int, "TurnRecord"]) -> list["Label"]:
    """The labels, each with the entities its turn's rewrite and repairs settled on."""
    out = []
    for label in labels:
        turn = records.get(label.turn_id)
        source = records.get(label.source_turn_id)
        entities = [_entity(e) for e in label.entities]
        if turn is not None and label.source_turn_id == label.turn_id and turn.text_rewritten \
                and turn.text == label.text:
            entities = [_entity(e) for e in ent.place(turn.entities or [], turn.text_rewritten, label.text)]
        for record in {id(r): r for r in (turn, source) if r is not None}.values():
            entities = _repaired(entities, record, label.text)
        placed = tuple(sorted((e["entity"], e["value"], e["start"], e["end"]) for e in entities))
        out.append(label if placed == label.entities else replace(label, entities=placed))
    return out


def _entity(item: Any) -> dict[str, Any]:
    if isinstance(item, dict):
        return dict(item)
    name, value, start, end = item
    return {"entity": name, "value": value, "start": start, "end": end}


def _repaired(entities: list[dict[str, Any]], record: "TurnRecord", text: str) -> list[dict[str, Any]]:
    from assistant.repair.settle import repairs_of

    for repair in repairs_of(record):
        name = ENTITY_OF_KIND.get(repair.kind.value)
        if name is None:
            continue
        where = ent.find(repair.heard, text) or ent.find(repair.value, text) or ent.sounds_like(repair.heard, text)
        if where is None:
            continue
        start, end = where
        entities = [e for e in entities if e["end"] <= start or e["start"] >= end]
        entities.append({"entity": name, "value": repair.value, "start": start, "end": end})
    return entities
