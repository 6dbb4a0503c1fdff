"""The absorbing Markov chain over rephrase chains, and the rewrite pairs it yields.

States are normalized utterances. Each logged request moves its utterance somewhere: to the
utterance that rephrased it next (u -> v), or, when it was the last of its chain, to SUCCESS
(it worked) or FAILURE (the user gave up, or nothing worked). Counts are pooled across users
and normalized per state, which gives the transient part Q and the absorbing part R of the
chain; the probability of ending in SUCCESS from each state is the SUCCESS column of
B = (I - Q)^-1 R, found with one sparse LU solve (cycles such as u -> v -> u are fine: every
state reaches an absorbing state because every chain ends in one).

For an utterance that usually fails when said (its direct success share is low), the rewrite
target is the state reached later in its chains with the highest probability of success. A
global pair needs `min_users` distinct users behind it, so one user cannot poison the table;
a personal pair needs `min_personal_support` of that user's own chains, and is kept only
where the global table has no pair for that source or the user's own target works better.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Sequence

from assistant.learning.rewrites import GLOBAL, MinedPair

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class MarkovConfig:
    """Which pairs the chain may propose."""

    min_probability: float = 0.5      # the target's probability of ending in success
    min_users: int = 2                # distinct users behind a global pair
    min_personal_support: int = 2     # the user's own chains behind a personal pair
    max_source_success: float = 0.5   # a source must work directly less often than this
    max_hops: int = 6                 # how far along a chain a target may be

    def __post_init__(self) -> None:
        if not 0.0 <= self.min_probability <= 1.0 or not 0.0 <= self.max_source_success <= 1.0:
            raise ValueError("min_probability and max_source_success must be within 0..1")
        if self.min_users < 1 or self.min_personal_support < 1 or self.max_hops < 1:
            raise ValueError("min_users, min_personal_support and max_hops must be at least 1")


@dataclass
class RephraseChains:
    """Transition counts pooled from rephrase chains (states are interned utterances)."""

    names: list[str] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)
    edges: Counter[tuple[int, int]] = field(default_factory=Counter)
    successes: Counter[int] = field(default_factory=Counter)
    failures: Counter[int] = field(default_factory=Counter)
    # (source, target) -> users whose chains went from source to target, later on
    reach_users: dict[tuple[int, int], set[str]] = field(default_factory=lambda: defaultdict(set))
    # (user, source, target) -> how many of that user's chains did
    reach_personal: Counter[tuple[str, int, int]] = field(default_factory=Counter)
    chains: int = 0
    max_hops: int = 6

    def state(self, key: str) -> int:
        """The state of a normalized utterance (created on first sight)."""
        found = self.index.get(key)
        if found is None:
            found = self.index[key] = len(self.names)
            self.names.append(key)
        return found

    @property
    def n_states(self) -> int:
        return len(self.names)

    def add(self, user_id: str, states: Sequence[int | str], succeeded: bool) -> None:
        """One chain: the user's utterances in order, and whether its last one worked."""
        if not states:
            return
        ids = [s if isinstance(s, int) else self.state(s) for s in states]
        self.chains += 1
        for left, right in zip(ids, ids[1:]):
            self.edges[(left, right)] += 1
        if succeeded:
            self.successes[ids[-1]] += 1
        else:
            self.failures[ids[-1]] += 1
        if len(ids) < 2:
            return
        seen: set[tuple[int, int]] = set()
        for i, source in enumerate(ids[:-1]):
            for target in ids[i + 1:i + 1 + self.max_hops]:
                if target != source and (source, target) not in seen:
                    seen.add((source, target))
                    self.reach_users[(source, target)].add(user_id)
                    self.reach_personal[(user_id, source, target)] += 1


def success_probabilities(chains: RephraseChains) -> "np.ndarray":
    """Probability of absorption in SUCCESS from each state: solves (I - Q) b = r_success."""
    import numpy as np
    import scipy.sparse as sp
    from scipy.sparse.linalg import splu

    n = chains.n_states
    if n == 0:
        return np.zeros(0)
    outgoing = np.zeros(n)
    for (source, _), count in chains.edges.items():
        outgoing[source] += count
    success = np.zeros(n)
    for state, count in chains.successes.items():
        success[state] = count
    failure = np.zeros(n)
    for state, count in chains.failures.items():
        failure[state] = count
    outgoing += success + failure
    # A state with no outgoing count cannot come from a chain; keep the system regular anyway.
    safe = np.where(outgoing > 0, outgoing, 1.0)
    if chains.edges:
        pairs = np.fromiter((v for key in chains.edges for v in key), dtype=np.int64,
                            count=2 * len(chains.edges)).reshape(-1, 2)
        counts = np.fromiter(chains.edges.values(), dtype=float, count=len(chains.edges))
        q = sp.csr_matrix((counts / safe[pairs[:, 0]], (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    else:
        q = sp.csr_matrix((n, n))
    system = (sp.identity(n, format="csc") - q.tocsc()).tocsc()
    probabilities = splu(system).solve(success / safe)
    return np.clip(probabilities, 0.0, 1.0)


def direct_success(chains: RephraseChains) -> "np.ndarray":
    """Share of each state's turns that worked at once (not rephrased, not failed)."""
    import numpy as np

    n = chains.n_states
    outgoing = np.zeros(n)
    for (source, _), count in chains.edges.items():
        outgoing[source] += count
    success = np.zeros(n)
    for state, count in chains.successes.items():
        success[state] = count
    for state, count in chains.failures.items():
        outgoing[state] += count
    outgoing += success
    return np.divide(success, outgoing, out=np.zeros(n), where=outgoing > 0)


def _best(candidates: list[tuple[int, int]], probabilities: "np.ndarray",
          names: list[str]) -> tuple[int, int] | None:
    """The (target, support) with the highest probability; ties: more support, then by name."""
    if not candidates:
        return None
    return max(candidates, key=lambda c: (round(float(probabilities[c[0]]), 9), c[1],
                                          _reverse(names[c[0]])))


def _reverse(name: str) -> tuple[int, ...]:
    # max() over names must prefer the alphabetically first one: compare negated code points.
    return tuple(-ord(ch) for ch in name)


def select_pairs(chains: RephraseChains, probabilities: "np.ndarray",
                 config: MarkovConfig) -> list[MinedPair]:
    """Global and personal pairs, sorted by scope, then source."""
    direct = direct_success(chains)
    names = chains.names
    global_candidates: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for (source, target), users in chains.reach_users.items():
        if len(users) >= config.min_users:
            global_candidates[source].append((target, len(users)))
    pairs: list[MinedPair] = []
    chosen: dict[int, int] = {}
    for source, candidates in global_candidates.items():
        if direct[source] >= config.max_source_success:
            continue
        best = _best(candidates, probabilities, names)
        if best is None:
            continue
        target, support = best
        probability = float(probabilities[target])
        if probability >= config.min_probability and probability > direct[source]:
            chosen[source] = target
            pairs.append(MinedPair(names[source], names[target], support, probability))
    personal_candidates: dict[tuple[str, int], list[tuple[int, int]]] = defaultdict(list)
    for (user_id, source, target), count in chains.reach_personal.items():
        if count >= config.min_personal_support:
            personal_candidates[(user_id, source)].append((target, count))
    for (user_id, source), candidates in personal_candidates.items():
        best = _best(candidates, probabilities, names)
        if best is None:
            continue
        target, support = best
        probability = float(probabilities[target])
        if probability < config.min_probability:
            continue
        known = chosen.get(source)
        # The global pair already serves this user unless their own target does better.
        if known is not None and (known == target or probability <= float(probabilities[known])):
            continue
        pairs.append(MinedPair(names[source], names[target], support, probability, user_id=user_id))
    pairs.sort(key=lambda p: (p.user_id != GLOBAL, p.user_id, p.source, p.target))
    return pairs


@dataclass(frozen=True)
class MarkovResult:
    pairs: list[MinedPair]
    states: int
    chains: int


def solve(chains: RephraseChains, config: MarkovConfig = MarkovConfig()) -> MarkovResult:
    """Absorption probabilities, then the pairs they support."""
    probabilities = success_probabilities(chains)
    pairs = select_pairs(chains, probabilities, config) if chains.n_states else []
    return MarkovResult(pairs=pairs, states=chains.n_states, chains=chains.chains)
