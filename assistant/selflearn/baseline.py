"""The non-contextual baseline: a turn with a defect signal after it takes the intent of the
next turn of its session that had none; a turn with no signal keeps its own intent.

No goals, no model, no neighbours beyond "the next one that worked": what the contextual
label model has to beat.
"""

from __future__ import annotations

from typing import Sequence

from assistant.learning.log import TurnRecord
from assistant.selflearn import entities as ent
from assistant.selflearn.candidates import (
    NEVER_CORRECTIONS,
    NEVER_LABELS,
    Label,
    LabelKind,
    domain_intents,
)


def labels(records: Sequence[TurnRecord], intents: frozenset[str] | None = None) -> list[Label]:
    """The baseline's labels (confidence 1.0: it accepts everything it proposes)."""
    intents = domain_intents() if intents is None else intents
    sessions: dict[tuple[str, str], list[TurnRecord]] = {}
    for record in records:
        sessions.setdefault((str(record.user_id), str(record.session_id)), []).append(record)
    out: list[Label] = []
    for turns in sessions.values():
        turns = sorted(turns, key=lambda t: t.id or 0)
        for index, turn in enumerate(turns):
            following = turns[index + 1] if index + 1 < len(turns) else None
            failed = turn.defect_signalled or bool(following is not None and following.barge_in)
            if not failed:
                if (turn.intent or "") in intents and turn.intent not in NEVER_LABELS:
                    out.append(_label(turn, turn, LabelKind.SELF))
                continue
            source = next((t for t in turns[index + 1:] if not t.defect_signalled), None)
            if source is None or (source.intent or "") not in intents:
                continue
            if source.intent in NEVER_LABELS or source.intent in NEVER_CORRECTIONS:
                continue
            out.append(_label(turn, source, LabelKind.CORRECTION))
    out.sort(key=lambda label: (label.turn_id, label.kind.value))
    return out


def _label(turn: TurnRecord, source: TurnRecord, kind: LabelKind) -> Label:
    placed = ent.place(source.entities, source.text, turn.text)
    return Label(int(turn.id or 0), str(turn.user_id), str(turn.text), str(source.intent), kind, 1.0,
                 int(source.id or 0), tuple((e["entity"], e["value"], e["start"], e["end"]) for e in placed))
