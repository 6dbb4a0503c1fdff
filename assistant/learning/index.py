"""The retrieval index: how often each utterance worked, for each user and for everyone.

`rebuild` aggregates the interaction log into the `utterances` table (in the same database
as the rewrites) in one transaction; the online rewriter reads it back when the rewrite
table's generation changes. A rewritten turn counts for the text NLU read (the rewrite's
target), never against what was heard.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable

from assistant.db import create_all
from assistant.learning.outcome import is_request, succeeded
from assistant.learning.rewrites import GLOBAL
from assistant.text import MAX_KEY, normalize

if TYPE_CHECKING:
    from assistant.learning.log import InteractionLog, TurnRecord
    from assistant.learning.rewrites import RewriteStore


@dataclass(frozen=True)
class UtteranceStats:
    """One utterance's record, for one user or (user_id '*') for everyone."""

    text: str
    user_id: str
    intent: str | None
    successes: int
    failures: int
    users: int   # distinct users it succeeded for

    @property
    def success_rate(self) -> float:
        total = self.successes + self.failures
        return self.successes / total if total else 0.0


def _table(metadata: Any) -> Any:
    import sqlalchemy as sa

    return sa.Table(
        "utterances", metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("text", sa.String(MAX_KEY), nullable=False, index=True),
        sa.Column("user_id", sa.String(100), nullable=False),
        sa.Column("intent", sa.String(80)),
        sa.Column("successes", sa.Integer, nullable=False),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("users", sa.Integer, nullable=False),
    )


def aggregate(turns: Iterable["TurnRecord"]) -> list[UtteranceStats]:
    """Per-user and global stats of the request turns in a log."""
    success: Counter[tuple[str, str]] = Counter()
    failure: Counter[tuple[str, str]] = Counter()
    intents: dict[str, Counter[str]] = defaultdict(Counter)
    winners: dict[str, set[str]] = defaultdict(set)
    for turn in turns:
        if not is_request(turn):
            continue
        key = normalize(turn.text_rewritten or turn.text)
        if not key:
            continue
        if succeeded(turn):
            success[(turn.user_id, key)] += 1
            success[(GLOBAL, key)] += 1
            winners[key].add(turn.user_id)
            if turn.intent:
                intents[key][turn.intent] += 1
        elif turn.text_rewritten is None:
            failure[(turn.user_id, key)] += 1
            failure[(GLOBAL, key)] += 1
    stats = []
    for user_id, key in sorted(set(success) | set(failure)):
        top = intents[key].most_common(1)
        stats.append(UtteranceStats(
            text=key, user_id=user_id, intent=top[0][0] if top else None,
            successes=success[(user_id, key)], failures=failure[(user_id, key)],
            users=len(winners[key]) if user_id == GLOBAL else int(success[(user_id, key)] > 0)))
    return stats


def rebuild(log: "InteractionLog", store: "RewriteStore") -> int:
    """Replace the utterances table with the log's aggregate; returns its row count."""
    import sqlalchemy as sa

    stats = aggregate(log.turns(light=True))
    metadata = sa.MetaData()
    table = _table(metadata)
    create_all(metadata, store.engine)
    rows = [{"text": s.text, "user_id": s.user_id, "intent": s.intent, "successes": s.successes,
             "failures": s.failures, "users": s.users} for s in stats]
    with store.engine.begin() as conn:
        conn.execute(sa.delete(table))
        if rows:
            conn.execute(sa.insert(table), rows)
    store.bump_generation()
    return len(rows)


def load(store: "RewriteStore") -> list[UtteranceStats]:
    """The stored stats (none before the first rebuild)."""
    import sqlalchemy as sa

    metadata = sa.MetaData()
    table = _table(metadata)
    create_all(metadata, store.engine)
    with store.engine.connect() as conn:
        return [UtteranceStats(text=r.text, user_id=r.user_id, intent=r.intent, successes=r.successes,
                               failures=r.failures, users=r.users)
                for r in conn.execute(sa.select(table))]


def clear(store: "RewriteStore") -> None:
    import sqlalchemy as sa

    metadata = sa.MetaData()
    table = _table(metadata)
    create_all(metadata, store.engine)
    with store.engine.begin() as conn:
        conn.execute(sa.delete(table))
    store.bump_generation()
