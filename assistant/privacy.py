"""Forgetting a user everywhere: "forget everything about me" in the chat, and the service's
`DELETE /api/users/{id}/data`, go through `forget_everywhere`. The runtime doesn't import it:
whoever starts one gives it as the forget handler (`Runtime.start(forget=forget_everywhere)`;
`functools.partial(forget_everywhere, retrain=False)` to forget without retraining).

What is kept about a user, and where: preferences and corrections (preference store), taught
concepts and habit marks (habits tables), interaction-log rows and the utterance index built from
them, personal rewrites and their name behind global ones (learning store), conversations (Rasa's
tracker store), examples learned from their turns (the learned NLU file) and the models trained on
those (the model history; the current model is retrained without them, skipping the gate).

Not here: the simulator's ground truth of simulated turns (`simulator.truth_store`, a file or table
beside the log that the product never reads or writes). It is lab data about simulated users, not
a user's data; the lab forgets there with `TruthStore.forget_user`, and a truth whose turn was
forgotten is never attached to another turn.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assistant.paths import DataDir

if TYPE_CHECKING:
    from assistant.runtime import Runtime

logger = logging.getLogger(__name__)


@dataclass
class ForgetReport:
    """How much of the user went, per store (and whether a retrain without them started)."""

    removed: dict[str, int] = field(default_factory=dict)
    models_dropped: list[str] = field(default_factory=list)
    retrain: threading.Thread | None = None


def forget_everywhere(runtime: "Runtime", user_id: str, *, retrain: bool = True) -> ForgetReport:
    """Delete everything kept about ``user_id``. A store that fails is logged and reported as -1;
    the others are still cleared. ``retrain``: when learned examples went, retrain the current
    model without them in the background (it skips the gate; a running runtime reloads it)."""
    from assistant.habits.hook import habit_store
    from assistant.learning import index
    from assistant.modelstore import history
    from assistant.repair import settle as repair_records

    report = ForgetReport()
    steps: dict[str, Any] = {
        "preferences": lambda: runtime.preferences.forget(user_id),
        "habits": lambda: habit_store(runtime).forget_user(user_id),
        "rewrites": lambda: runtime.rewrites.forget_user(user_id) if runtime.rewrites is not None else 0,
        "repairs": lambda: repair_records.forget_user(runtime.data.learning_url, user_id),
        "log": lambda: runtime.log.forget_user(user_id) if runtime.log is not None else 0,
        "conversations": lambda: forget_conversations(runtime.data.tracker_url, user_id),
        "learned_examples": lambda: forget_learned(runtime.data, user_id),
    }
    for name, step in steps.items():
        try:
            report.removed[name] = int(step())
        except Exception as error:  # noqa: BLE001 - clear the other stores, say which failed
            logger.error("could not forget %r in %s: %s", user_id, name, error)
            runtime.log_errors.append(f"forgetting {user_id} in {name} failed: {error}")
            report.removed[name] = -1
    if runtime.log is not None and runtime.rewrites is not None:
        try:   # the utterance index is built from the log: rebuilt without the user
            index.rebuild(runtime.log, runtime.rewrites)
        except Exception as error:  # noqa: BLE001
            logger.error("could not rebuild the utterance index: %s", error)
    report.models_dropped = history.drop_user(runtime.data, user_id)
    runtime.drop_user_memory(user_id)
    if retrain and report.removed.get("learned_examples", 0) > 0:
        report.retrain = _retrain_without(runtime.data)
    return report


def forget_conversations(tracker_url: str, user_id: str) -> int:
    """Delete the user's conversations from Rasa's SQL tracker store (its `events` table): the
    sender id is the user id, or the user id and a conversation suffix (``alice~1a2b``)."""
    import sqlalchemy as sa

    from assistant.db import create_engine

    engine = create_engine(tracker_url)
    try:
        if not sa.inspect(engine).has_table("events"):
            return 0
        events = sa.Table("events", sa.MetaData(), autoload_with=engine)
        pattern = _like_escaped(user_id) + "~%"
        with engine.begin() as conn:
            result = conn.execute(sa.delete(events).where(sa.or_(
                events.c.sender_id == user_id, events.c.sender_id.like(pattern, escape="\\"))))
            return int(result.rowcount or 0)
    finally:
        engine.dispose()


def forget_learned(data: DataDir, user_id: str) -> int:
    """Take the user out of the learned NLU examples' provenance; an example nobody else backs
    goes (one backed by others too stays theirs). How many examples changed."""
    from assistant.selflearn import learned as lf

    examples = lf.read(data.learned_nlu)
    touched = [e for e in examples if user_id in e.users]
    if not touched:
        return 0
    for example in touched:
        example.users.discard(user_id)
    lf.write(data.learned_nlu, [e for e in examples if e.by_hand or e.users])
    return len(touched)


def _retrain_without(data: DataDir) -> threading.Thread:
    from assistant.modelstore import retrain

    def run() -> None:
        try:
            outcome = retrain.retrain(data, skip_gate=True)
            logger.info("retrained without a forgotten user's examples in %.0f s", outcome.seconds)
        except Exception as error:  # noqa: BLE001 - the current model keeps serving
            logger.error("the retrain after a forget failed: %s", error)

    thread = threading.Thread(target=run, name="retrain-after-forget", daemon=True)
    thread.start()
    return thread


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
