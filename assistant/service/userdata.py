"""A household user's stored data, read and deleted (privacy).

What is kept about a user: preferences and corrections, taught concepts and habit marks,
personal rewrites (and their name behind global ones), and their interaction-log rows. All of
it is keyed by the internal id ``HOME.user``, so one home can never reach another's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assistant.service import ids

if TYPE_CHECKING:
    from assistant.runtime import Runtime

LOG_ROWS_SHOWN = 200


def read_user(runtime: "Runtime", home: str, user_id: str) -> dict[str, Any]:
    """Everything stored about the user, JSON-safe (the newest log rows only, with a count)."""
    from assistant.habits.hook import habit_store

    internal = ids.internal_user(home, user_id)
    prefs = runtime.preferences
    habits = habit_store(runtime)
    turns = list(runtime.log.turns(user_id=internal)) if runtime.log is not None else []
    rewrites = [r for r in (runtime.rewrites.all(user_id=internal) if runtime.rewrites is not None else [])
                if r.user_id == internal]
    return {
        "user_id": user_id,
        "preferences": [{"key": p.key.value, "value": p.value, "polarity": p.polarity.value,
                         "source": p.source.value, "confidence": p.confidence,
                         "updated_at": p.updated_at.isoformat(timespec="seconds")} for p in prefs.get(internal)],
        "corrections": [{"said": c.said, "meant": c.meant} for c in prefs.corrections(internal)],
        "concepts": [{"name": c.name, "steps": list(c.steps)} for c in habits.concepts(internal)],
        "habit_marks": [{"kind": m.kind.value, "key": m.key, "value": m.value,
                         "at": m.at.isoformat(timespec="seconds")} for m in habits.marks(user_id=internal)],
        "rewrites": [{"source": r.source, "target": r.target, "state": r.state.value} for r in rewrites],
        "log": {"turns": len(turns),
                "rows": [{"turn_id": t.id, "at": t.timestamp.isoformat(timespec="seconds"), "text": t.text,
                          "intent": t.intent, "device_id": t.device_id, "reply": t.reply}
                         for t in turns[-LOG_ROWS_SHOWN:]]},
    }


def delete_user(runtime: "Runtime", home: str, user_id: str) -> dict[str, int]:
    """Delete everything stored about the user (`assistant.privacy.forget_everywhere`: also
    their conversations, learned examples and the models trained on them); rows gone per store."""
    from assistant.privacy import forget_everywhere

    return forget_everywhere(runtime, ids.internal_user(home, user_id)).removed
