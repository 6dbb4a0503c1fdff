"""Online rewriting: what the QueryRewriter component decides for each message.

Order: the user's own corrections ("when I say X I mean Y"), then precomputed pairs mined
from rephrase chains, then phrase rules mined across people (a misheard span inside any
request), then retrieval over the personal and global indexes.
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass, fields
from typing import Any

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RewriterConfig:
    """The component's thresholds (config.yml)."""

    min_probability: float = 0.5
    retrieval_threshold: float = 0.72
    personal_bonus: float = 0.06
    global_min_users: int = 3
    personal_min_successes: int = 1
    known_good_successes: int = 2

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, config: dict[str, Any]) -> "RewriterConfig":
        names = {f.name: f.type for f in fields(cls)}
        values: dict[str, Any] = {name: (int if names[name] == "int" else float)(value)
                                  for name, value in config.items() if name in names}
        return cls(**values)


@dataclass(frozen=True)
class Decision:
    """A rewrite the component applies."""

    text: str
    source: str                 # personal_correction | precomputed | phrase | personal_phrase | global | personal
    rewrite_id: int | None = None
    score: float | None = None
    why: str = ""
    applied: tuple[dict[str, str], ...] = ()

    def to_output(self) -> dict[str, Any]:
        return {"source": self.source, "rewrite_id": self.rewrite_id,
                "score": None if self.score is None else round(self.score, 3),
                "why": self.why, "applied": list(self.applied)}


class OnlineState:
    """The rewrite table and the retrieval index as this process sees them; the index is
    reloaded when the table's generation changes (after mining, or a retirement)."""

    def __init__(self, url: str) -> None:
        from assistant.learning.rewrites import RewriteStore

        self.url = url
        self.store = RewriteStore.open(url)
        self._index: Any = None
        self._generation: int | None = None
        self._config: RewriterConfig | None = None
        self._cache: dict[str, Any] = {}

    def index(self, config: RewriterConfig, generation: int) -> Any:
        """The retrieval index as of the table's ``generation`` (rebuilt when it changed)."""
        from assistant.learning import index as stats
        from assistant.learning.retrieval import RetrievalIndex

        if self._index is None or generation != self._generation or config != self._config:
            self._index = RetrievalIndex(stats.load(self.store), global_min_users=config.global_min_users,
                                         personal_min_successes=config.personal_min_successes,
                                         cache=self._cache)
            self._generation, self._config = generation, config
        return self._index

    def close(self) -> None:
        self.store.close()


# Learning databases this process serves, by URL. A runtime registers its own and names it in
# each message (`metadata["learning"]["store"]`), so several runtimes in one process (tests, a
# restart) never read each other's rewrites; a message can only name a registered database.
_states: dict[str, OnlineState] = {}
_users: dict[str, int] = {}
STORE_KEY = "store"


def register(url: str) -> OnlineState:
    """Serve rewrites from this database; each `register` needs its `unregister` (two runtimes
    on one data folder share the state until both are closed)."""
    if url not in _states:
        _states[url] = OnlineState(url)
    _users[url] = _users.get(url, 0) + 1
    return _states[url]


def unregister(url: str) -> None:
    _users[url] = _users.get(url, 0) - 1
    if _users[url] <= 0:
        _users.pop(url, None)
        state = _states.pop(url, None)
        if state is not None:
            state.close()


def _state_for(metadata: dict[str, Any]) -> OnlineState | None:
    name = (metadata.get("learning") or {}).get(STORE_KEY)
    return _states.get(name) if isinstance(name, str) else None


def rewrite(text: str, metadata: dict[str, Any], config: RewriterConfig) -> Decision | None:
    """The rewrite for a message, or None to leave it alone."""
    from assistant.learning.config import LearningFlags

    user_id = metadata.get("user_id")
    user_id = str(user_id) if user_id else None
    flags = LearningFlags.from_metadata(metadata)
    if user_id and flags.teachable:
        rewritten, applied = apply_corrections(text, _corrections(user_id))
        if applied:
            return Decision(rewritten, "personal_correction", why="your correction",
                            applied=tuple(applied))
    state = _state_for(metadata)
    if state is None or not (flags.rewrites or flags.phrase_rules):
        return None
    generation = state.store.generation()   # one read a turn: the lookup map and the index follow it
    if flags.precomputed:
        from assistant.learning.retrieval import keeps_meaning

        pair = state.store.lookup(text, user_id, personal=flags.personal, global_=flags.global_,
                                  generation=generation)
        # A global pair only fixes what was misheard; one that adds what many users happened
        # to want ("play some music" -> "play some rock") would impose it on everybody.
        if pair is not None and pair.probability >= config.min_probability \
                and (not pair.is_global or keeps_meaning(text, pair.target)):
            return Decision(pair.target, "precomputed", pair.id, pair.probability,
                            why=f"{pair.scope} mined pair: {pair.support} user(s), "
                                f"P(success)={pair.probability:.2f}")
    personal_rules = flags.personal and flags.personal_phrase_rules
    if flags.phrase_rules or personal_rules:
        decision = _phrase(state, generation, text, user_id, config, global_rules=flags.phrase_rules,
                           personal_rules=personal_rules)
        if decision is not None:
            return decision
    if not flags.rewrites:
        return None
    return _retrieve(state, generation, text, user_id, metadata, flags, config)


def _phrase(state: OnlineState, generation: int, text: str, user_id: str | None,
            config: RewriterConfig, *, global_rules: bool = True, personal_rules: bool = False) -> Decision | None:
    """The longest phrase rule inside the request, unless the request already works as heard:
    the global rules (``global_rules``) and ``user_id``'s own (``personal_rules``)."""
    from assistant.learning.phrases import rule_for, substitute
    from assistant.text import tokens

    rules = state.store.phrase_rules(generation, user_id if personal_rules else None)
    if not global_rules:
        rules = {span: rule for span, rule in rules.items() if not rule.is_global}
    found = rule_for(tokens(text), rules) if rules else None
    if found is None:
        return None
    _, rule = found
    if rule.probability < config.min_probability \
            or state.index(config, generation).known_good(text, user_id, config.known_good_successes):
        return None
    rewritten = substitute(text, rule.source, rule.target)
    if rewritten is None:
        return None
    whose = f"{rule.support} user(s)" if rule.is_global else f"your own, {rule.support} fix(es)"
    return Decision(rewritten, "phrase" if rule.is_global else "personal_phrase", rule.id, rule.probability,
                    why=f"phrase rule {rule.source!r} -> {rule.target!r}: {whose}, "
                        f"P(success)={rule.probability:.2f}",
                    applied=({"said": rule.source, "meant": rule.target},))


def _retrieve(state: OnlineState, generation: int, text: str, user_id: str | None, metadata: dict[str, Any],
              flags: Any, config: RewriterConfig) -> Decision | None:
    from assistant.learning.retrieval import MIN_IMPROVEMENT, suspicious, vocabulary
    from assistant.learning.rewrites import GLOBAL, Origin, Rewrite, State

    index = state.index(config, generation)
    if index.known_good(text, user_id, config.known_good_successes):
        return None
    asr = metadata.get("asr_confidence")
    record = index.record(text, user_id)
    reason = suspicious(text, float(asr) if isinstance(asr, (int, float)) else None, record, vocabulary())
    if reason is None:
        return None
    # Worth it only when the candidate works clearly more often than what was heard ("play
    # some music" that fails for its result is not fixed by "play music").
    floor = (record.success_rate if record is not None else 0.0) + MIN_IMPROVEMENT
    for candidate in index.candidates(text, user_id, personal=flags.personal, global_=flags.global_,
                                      personal_bonus=config.personal_bonus):
        if candidate.score < config.retrieval_threshold:
            break
        if candidate.history < floor:
            continue
        owner = user_id if candidate.scope == "personal" and user_id else GLOBAL
        stored = state.store.add(Rewrite(source=text, target=candidate.text, user_id=owner,
                                          origin=Origin.RETRIEVAL, support=1,
                                          probability=candidate.score))
        if stored.state is not State.ACTIVE:   # retired, or blocked by an operator
            continue
        return Decision(candidate.text, candidate.scope, stored.id, candidate.score,
                        why=f"{reason}; {candidate.scope} match cos={candidate.cosine:.2f} "
                            f"fuzzy={candidate.fuzzy:.2f} sound={candidate.phonetic:.2f}")
    return None


def apply_corrections(text: str, corrections: list[tuple[str, str]]) -> tuple[str, list[dict[str, str]]]:
    """Replace each ``said`` phrase (whole words, any case) by ``meant``; longest phrases first."""
    applied = []
    for said, meant in sorted(corrections, key=lambda c: -len(c[0])):
        pattern = re.compile(rf"(?<!\w){re.escape(said)}(?!\w)", re.IGNORECASE)
        text, count = pattern.subn(lambda _m: meant, text)
        if count:
            applied.append({"said": said, "meant": meant})
    return text, applied


def _corrections(user_id: str) -> list[tuple[str, str]]:
    from assistant.services import preferences

    try:
        return [(c.said, c.meant) for c in preferences.store().corrections(user_id)]
    except Exception as error:  # noqa: BLE001 - no rewrite is better than a failed turn
        logger.warning("could not read corrections of %r: %s", user_id, error)
        return []
