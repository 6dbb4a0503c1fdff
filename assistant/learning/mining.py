"""Mining the interaction log into the rewrite table (`assistant mine`).

One streamed pass over the log keeps a few integers per turn (its state, user and outcome)
and the candidate rephrase pairs; token overlap settles most pairs, MiniLM scores the rest
with each distinct utterance embedded once. The rephrase links form chains, the chains feed
the absorbing Markov chain (`markov`), and its pairs replace the mined part of the rewrite
table in one transaction. A rewritten turn counts for the text NLU read (the rewrite's
target), never for what was heard.
"""

from __future__ import annotations

import time
from array import array
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Protocol

from assistant.learning.consensus import ConsensusPolicy, StateStats, judge
from assistant.learning.markov import MarkovConfig, RephraseChains, solve
from assistant.learning.phrases import PHRASE_SOURCES, PhraseConfig, PhraseMiner, PhraseReport
from assistant.learning.rephrase import (
    Evidence,
    RephraseThresholds,
    TurnFacts,
    candidate_pairs,
    decide,
    decide_without_similarity,
    facts,
)
from assistant.learning.rewrites import GLOBAL, MinedPair, Origin, Rewrite
from assistant.similarity import PairSimilarity, minilm_similarity
from assistant.text import normalize

if TYPE_CHECKING:
    from assistant.learning.log import TurnRecord
    from assistant.learning.rewrites import RewriteStore

# Called with (stage, done, total or None) while mining runs.
Progress = Callable[[str, int, "int | None"], None]


class TurnSource(Protocol):
    """What mining reads: an `InteractionLog`, or anything that streams TurnRecords."""

    def turns(self) -> Iterator["TurnRecord"]: ...


class MiningError(RuntimeError):
    """Mining failed; the rewrite table was left as it was."""


@dataclass(frozen=True)
class MineConfig:
    """Rephrase detection thresholds, the Markov chain's bounds and the consensus a global
    pair needs, with their defaults (a global pair: 3 distinct users and 30% of those who
    said the source)."""

    rephrase: RephraseThresholds = RephraseThresholds()
    markov: MarkovConfig = MarkovConfig(min_users=ConsensusPolicy().min_users)
    consensus: ConsensusPolicy = ConsensusPolicy()
    phrases: PhraseConfig | None = PhraseConfig()   # None: no phrase rules are mined

    @classmethod
    def of(cls, *, window_seconds: float = 120.0, min_probability: float = 0.5,
           min_users: int = 3, min_personal_support: int = 2, min_share: float = 0.3) -> "MineConfig":
        """The common knobs without building the parts by hand."""
        return cls(RephraseThresholds(window_seconds=window_seconds),
                   MarkovConfig(min_probability=min_probability, min_users=min_users,
                                min_personal_support=min_personal_support),
                   replace(ConsensusPolicy(), min_users=min_users, min_share=min_share),
                   replace(PhraseConfig(), min_users=min_users, min_share=min_share))


@dataclass
class MineReport:
    """What a mining run read and changed."""

    turns: int = 0               # rows read
    skipped: int = 0             # corrupt rows left out
    requests: int = 0            # request turns that became chain steps
    candidate_pairs: int = 0
    embedded_pairs: int = 0      # candidate pairs that needed MiniLM
    rephrases: int = 0
    chains: int = 0              # chains of two or more requests
    states: int = 0
    pairs: int = 0
    global_pairs: int = 0
    personal_pairs: int = 0
    added: list[Rewrite] = field(default_factory=list)
    updated: list[Rewrite] = field(default_factory=list)
    retired: list[Rewrite] = field(default_factory=list)
    unchanged: int = 0
    refused: list[dict[str, Any]] = field(default_factory=list)  # global pairs consensus kept out
    index_rows: int | None = None   # None when the retrieval index was not rebuilt
    seconds: float = 0.0
    embedded_texts: int = 0         # distinct utterances compared by MiniLM
    cached_texts: int = 0           # ... of which the vector cache already knew
    stage_seconds: dict[str, float] = field(default_factory=dict)   # read, embed, solve, phrases, store, index
    phrases: PhraseReport | None = None     # the phrase rules mined (None: not mined)
    phrase_added: list[Rewrite] = field(default_factory=list)
    phrase_retired: list[Rewrite] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{self.turns} turns read ({self.skipped} skipped), {self.rephrases} rephrases in "
                f"{self.chains} chains, {self.states} states; {self.pairs} pairs "
                f"({self.global_pairs} global, {self.personal_pairs} personal; "
                f"{len(self.refused)} kept out of the global table): "
                f"{len(self.added)} added, {len(self.updated)} updated, {len(self.retired)} retired, "
                f"{self.unchanged} unchanged"
                + (f"; {len(self.phrases.rules)} phrase rules ({len(self.phrase_added)} new, "
                   f"{len(self.phrase_retired)} retired, {len(self.phrases.refused)} kept out)"
                   if self.phrases is not None else "")
                + f" in {self.seconds:.1f} s")

    def to_json(self) -> dict[str, Any]:
        return {"turns": self.turns, "skipped": self.skipped, "requests": self.requests,
                "candidate_pairs": self.candidate_pairs, "embedded_pairs": self.embedded_pairs,
                "rephrases": self.rephrases, "chains": self.chains, "states": self.states,
                "pairs": self.pairs, "global_pairs": self.global_pairs,
                "personal_pairs": self.personal_pairs,
                "added": [r.to_json() for r in self.added],
                "updated": [r.to_json() for r in self.updated],
                "retired": [r.to_json() for r in self.retired],
                "unchanged": self.unchanged, "refused": list(self.refused),
                "index_rows": self.index_rows,
                "embedded_texts": self.embedded_texts, "cached_texts": self.cached_texts,
                "stage_seconds": {k: round(v, 3) for k, v in self.stage_seconds.items()},
                "phrases": self.phrases.to_json() if self.phrases is not None else None,
                "phrase_added": [r.to_json() for r in self.phrase_added],
                "phrase_retired": [r.to_json() for r in self.phrase_retired],
                "seconds": round(self.seconds, 3)}


@dataclass
class _Turns:
    """A few integers per request turn, by position in the log."""

    state: array = field(default_factory=lambda: array("i"))
    user: array = field(default_factory=lambda: array("i"))
    succeeded: bytearray = field(default_factory=bytearray)
    users: list[str] = field(default_factory=list)
    user_index: dict[str, int] = field(default_factory=dict)


@dataclass
class _Candidates:
    first: array = field(default_factory=lambda: array("i"))
    second: array = field(default_factory=lambda: array("i"))
    rephrase: bytearray = field(default_factory=bytearray)
    pending: list[tuple[int, int, Evidence, float]] = field(default_factory=list)  # (row, ...) to embed
    pending_keys: list[tuple[str, str]] = field(default_factory=list)


def find_chains(turns: Iterable["TurnRecord"], thresholds: RephraseThresholds,
                similarity: PairSimilarity, report: MineReport,
                max_hops: int = 6, progress: Progress | None = None,
                total: int | None = None, stats: dict[int, StateStats] | None = None,
                phrases: "PhraseMiner | None" = None,
                direct: dict[int, list[int]] | None = None,
                worked_for: dict[int, set[str]] | None = None) -> RephraseChains:
    """Read turns once and return their rephrase chains, pooled (counts into ``report``).
    ``stats`` receives, by state, who said each utterance and how NLU read it; ``phrases``
    each chain of two or more requests, ``direct``, by state, [successes, failures] of the
    requests nobody rephrased, and ``worked_for`` the users for whom those worked."""
    chains = RephraseChains(max_hops=max_hops)
    table = _Turns()
    candidates = _Candidates()
    overlaps: dict[tuple[int, int], float] = {}
    token_sets: list[frozenset[str]] = []
    keys: dict[str, str] = {}
    heard: dict[int, str] = {}   # by position: what was heard, for a turn a rewrite (not a phrase rule) changed

    def stream() -> Iterator[TurnFacts]:
        for turn in turns:
            report.turns += 1
            if progress is not None and report.turns % 5000 == 0:
                progress("read", report.turns, total)
            found = facts(turn, thresholds, position=len(table.state), keys=keys)
            if found is None:
                report.skipped += 1
                continue
            if not found.request:
                yield found
                continue
            state = chains.state(found.key)
            if state == len(token_sets):
                token_sets.append(frozenset(found.key.split()))
            user = table.user_index.get(found.user_id)
            if user is None:
                user = table.user_index[found.user_id] = len(table.users)
                table.users.append(found.user_id)
            if phrases is not None and turn.text_rewritten is not None and turn.rewrite_source not in PHRASE_SOURCES:
                said = normalize(turn.text)
                if said and said != found.key:
                    heard[len(table.state)] = said
            table.state.append(state)
            table.user.append(user)
            table.succeeded.append(1 if found.succeeded else 0)
            if stats is not None:
                stats.setdefault(state, StateStats()).add(found.user_id, turn.intent, turn.confidence,
                                                          _entities(turn))
            yield found

    for first, second, evidence in candidate_pairs(stream(), thresholds):
        a, b = first.position, second.position
        sa, sb = table.state[a], table.state[b]
        overlap = overlaps.get((sa, sb))
        if overlap is None:
            left, right = token_sets[sa], token_sets[sb]
            overlap = len(left & right) / len(left | right) if left | right else 1.0
            overlaps[(sa, sb)] = overlap
        verdict = decide_without_similarity(evidence, overlap, thresholds)
        if verdict is False:
            continue
        row = len(candidates.first)
        candidates.first.append(a)
        candidates.second.append(b)
        candidates.rephrase.append(1 if verdict else 0)
        if verdict is None:
            candidates.pending.append((row, sa, evidence, overlap))
            candidates.pending_keys.append((first.key, second.key))
    report.requests = len(table.state)
    report.candidate_pairs = len(candidates.first)
    _score_pending(candidates, thresholds, similarity, report, progress)
    _link(chains, table, candidates, report, phrases, direct, worked_for, heard)
    return chains


def _score_pending(candidates: _Candidates, thresholds: RephraseThresholds,
                   similarity: PairSimilarity, report: MineReport, progress: Progress | None) -> None:
    """Embed what overlap could not settle: each distinct pair of utterances once."""
    if not candidates.pending:
        return
    started = time.perf_counter()
    distinct = sorted(set(candidates.pending_keys))
    report.embedded_texts = len({text for pair in distinct for text in pair})
    if progress is not None:
        progress("embed", 0, len(distinct))
    scores = dict(zip(distinct, similarity(distinct)))
    report.stage_seconds["embed"] = time.perf_counter() - started
    if progress is not None:
        progress("embed", len(distinct), len(distinct))
    report.embedded_pairs = len(candidates.pending)
    for (row, _, evidence, overlap), keys in zip(candidates.pending, candidates.pending_keys):
        if decide(evidence, overlap, float(scores[keys]), thresholds):
            candidates.rephrase[row] = 1
    candidates.pending.clear()
    candidates.pending_keys.clear()


def _link(chains: RephraseChains, table: _Turns, candidates: _Candidates, report: MineReport,
          phrases: "PhraseMiner | None" = None, direct: dict[int, list[int]] | None = None,
          worked_for: dict[int, set[str]] | None = None, heard: dict[int, str] | None = None) -> None:
    """Follow rephrase links into chains and count them into the Markov chain; a rewritten turn
    in a chain (``heard``) is also a step for the phrase miner, from what was heard to what NLU
    read, which worked when its chain ended with it in success."""
    n = len(table.state)
    following = array("i", [-1]) * n
    has_previous = bytearray(n)
    for a, b, is_rephrase in zip(candidates.first, candidates.second, candidates.rephrase):
        if is_rephrase:
            following[a] = b
            has_previous[b] = 1
            report.rephrases += 1
    for start in range(n):
        if has_previous[start]:
            continue
        states = [table.state[start]]
        positions = [start]
        last = start
        while following[last] != -1:
            last = following[last]
            states.append(table.state[last])
            positions.append(last)
        user, worked = table.users[table.user[start]], bool(table.succeeded[last])
        if phrases is not None and heard:
            for position in positions:
                said = heard.get(position)
                if said is not None:
                    phrases.add_chain(user, [said, chains.names[table.state[position]]], worked and position == last)
        if len(states) > 1:
            report.chains += 1
            if phrases is not None:
                phrases.add_chain(user, [chains.names[s] for s in states], worked)
        elif direct is not None:
            direct.setdefault(states[0], [0, 0])[0 if worked else 1] += 1
            if worked and worked_for is not None:
                worked_for.setdefault(states[0], set()).add(user)
        chains.add(user, states, worked)


def mine(log: TurnSource, store: "RewriteStore", config: MineConfig = MineConfig(), *,
         similarity: PairSimilarity | None = None, progress: Progress | None = None,
         rebuild_index: bool = True) -> MineReport:
    """Mine the log into the rewrite table.

    Args:
        log: the interaction log (or any source of TurnRecords in id order).
        store: the rewrite table; written in one transaction (untouched on failure).
        config: thresholds.
        similarity: pair similarity; by default MiniLM, with vectors cached beside the table.
        progress: called with (stage, done, total).
        rebuild_index: also rebuild the retrieval index from the log, when that module exists.

    Raises:
        MiningError: reading the log or writing the table failed (the table is unchanged).
    """
    started = time.perf_counter()
    report = MineReport()
    total = _count(log)
    cache = None
    if similarity is None:
        engine = getattr(store, "engine", None)
        if engine is not None:
            from assistant.learning.vector_cache import VectorCache

            cache = VectorCache(engine)
        similarity = cache.similarity if cache is not None else minilm_similarity
    skipped_before = getattr(log, "skipped_rows", 0)
    stats: dict[int, StateStats] = {}
    phrases = PhraseMiner(config.phrases) if config.phrases is not None else None
    direct: dict[int, list[int]] = {}
    worked_for: dict[int, set[str]] = {}
    try:
        chains = find_chains(read_turns(log), config.rephrase, similarity, report,
                             max_hops=config.markov.max_hops, progress=progress, total=total,
                             stats=stats, phrases=phrases, direct=direct, worked_for=worked_for)
    except MiningError:
        raise
    except Exception as error:  # noqa: BLE001 - one clear error; nothing was written yet
        raise MiningError(f"could not read the interaction log after {report.turns} turns: {error}") from error
    report.skipped += getattr(log, "skipped_rows", 0) - skipped_before   # rows the log could not read
    report.stage_seconds["read"] = time.perf_counter() - started - report.stage_seconds.get("embed", 0.0)
    if cache is not None:
        report.cached_texts = cache.hits
    if progress is not None:
        progress("solve", 0, None)
    stage = time.perf_counter()
    result = solve(chains, config.markov)
    pairs = with_consensus(result.pairs, chains, stats, config, report)
    report.stage_seconds["solve"] = time.perf_counter() - stage
    rules = None
    if phrases is not None:
        stage = time.perf_counter()
        rules = phrases.solve({chains.names[s]: users for s, users in worked_for.items()},
                              {chains.names[s]: (ok, failed) for s, (ok, failed) in direct.items()})
        report.phrases = phrases.report
        report.stage_seconds["phrases"] = time.perf_counter() - stage
    report.states = result.states
    report.pairs = len(pairs)
    report.global_pairs = sum(1 for p in pairs if p.user_id == GLOBAL)
    report.personal_pairs = report.pairs - report.global_pairs
    stage = time.perf_counter()
    _store(store, pairs, report)
    if rules is not None:
        _store_phrases(store, rules, report)
    report.stage_seconds["store"] = time.perf_counter() - stage
    if rebuild_index:
        stage = time.perf_counter()
        report.index_rows = _rebuild_index(log, store)
        report.stage_seconds["index"] = time.perf_counter() - stage
    report.seconds = time.perf_counter() - started
    return report


def with_consensus(pairs: list[MinedPair], chains: RephraseChains, stats: dict[int, StateStats],
                   config: MineConfig, report: MineReport) -> list[MinedPair]:
    """The mined pairs with the global ones judged by `consensus`: kept ones carry the users
    behind them; a refused one is reported, and its supporters keep it as their own personal
    pair where their own chains back it (``min_personal_support``)."""
    kept: list[MinedPair] = []
    personal = {(p.user_id, p.source) for p in pairs if p.user_id != GLOBAL}
    for pair in pairs:
        if pair.user_id != GLOBAL:
            kept.append(pair)
            continue
        source, target = chains.index[pair.source], chains.index[pair.target]
        supporters = set(chains.reach_users.get((source, target), ()))
        verdict = judge(pair.source, pair.target, supporters, config.consensus,
                        stats.get(source), stats.get(target))
        if verdict.kept:
            kept.append(replace(pair, supporters=tuple(sorted(supporters))))
            continue
        said = stats.get(source)
        report.refused.append({"source": pair.source, "target": pair.target,
                               "verdict": verdict.verdict.value, "reason": verdict.reason,
                               "users": sorted(supporters), "said_by": len(said.users) if said else None})
        for user in sorted(supporters):
            own = chains.reach_personal.get((user, source, target), 0)
            if own >= config.markov.min_personal_support and (user, pair.source) not in personal:
                kept.append(MinedPair(pair.source, pair.target, own, pair.probability, user_id=user))
    kept.sort(key=lambda p: (p.user_id != GLOBAL, p.user_id, p.source, p.target))
    return kept


def _entities(turn: "TurnRecord") -> list[tuple[str, str]]:
    """(entity, value) pairs of a logged turn (empty when the light read left them out)."""
    found = []
    for entity in getattr(turn, "entities", None) or ():
        if isinstance(entity, dict) and entity.get("entity") and entity.get("value") is not None:
            found.append((str(entity["entity"]), str(entity["value"])))
    return found


def read_turns(log: TurnSource) -> Iterator["TurnRecord"]:
    """The log's turns in id order; an `InteractionLog` is read light (without the columns
    mining never reads), any other source as it is."""
    try:
        return log.turns(light=True)  # type: ignore[call-arg]
    except TypeError:
        return log.turns()


def _count(log: TurnSource) -> int | None:
    counter = getattr(log, "count", None)
    if counter is None:
        return None
    try:
        return int(counter())
    except Exception:  # noqa: BLE001 - a count is only for the progress bar
        return None


def _store(store: "RewriteStore", pairs: list[MinedPair], report: MineReport) -> None:
    try:
        diff = store.apply_mined(pairs)
    except Exception as error:  # noqa: BLE001 - apply_mined rolled back: table untouched
        raise MiningError(f"{error}" if "unchanged" in str(error)
                          else f"could not store the mined rewrites (table unchanged): {error}") from error
    report.added, report.updated, report.retired = diff.added, diff.updated, diff.retired
    report.unchanged = diff.unchanged


def _store_phrases(store: "RewriteStore", rules: list[MinedPair], report: MineReport) -> None:
    try:
        diff = store.apply_mined(rules, origin=Origin.PHRASE)
    except Exception as error:  # noqa: BLE001 - the utterance pairs are stored; say what is not
        raise MiningError(f"the rewrites were stored, but the phrase rules were not: {error}") from error
    report.phrase_added, report.phrase_retired = diff.added, diff.retired


def _rebuild_index(log: TurnSource, store: "RewriteStore") -> int | None:
    """The lead's retrieval index, when that module exists in this version."""
    try:
        from assistant.learning import index
    except ImportError:
        return None
    rebuild = getattr(index, "rebuild", None)
    if rebuild is None:
        return None
    try:
        return int(rebuild(log, store))
    except Exception as error:  # noqa: BLE001
        raise MiningError(f"the rewrites were stored, but rebuilding the retrieval index failed: {error}") \
            from error
