"""The absorbing Markov chain on small chains whose answer is worked out by hand."""

from __future__ import annotations

import random

import pytest

from assistant.learning.markov import (
    MarkovConfig,
    RephraseChains,
    direct_success,
    solve,
    success_probabilities,
)
from assistant.learning.rewrites import MinedPair


def _chains(*chains: tuple[str, list[str], bool]) -> RephraseChains:
    built = RephraseChains()
    for user, states, worked in chains:
        built.add(user, states, worked)
    return built


def _probability(chains: RephraseChains, name: str) -> float:
    return float(success_probabilities(chains)[chains.index[name]])


def test_three_states_absorb_as_computed_by_hand() -> None:
    # a -> b (then b fails), a -> c (c works), b works once alone, c works once alone:
    # P(c) = 1, P(b) = 1/2, P(a) = 1/2 P(b) + 1/2 P(c) = 3/4.
    chains = _chains(("u1", ["a", "b"], False), ("u2", ["a", "c"], True),
                     ("u3", ["b"], True), ("u4", ["c"], True))
    assert _probability(chains, "c") == pytest.approx(1.0)
    assert _probability(chains, "b") == pytest.approx(0.5)
    assert _probability(chains, "a") == pytest.approx(0.75)
    result = solve(chains, MarkovConfig(min_users=1))
    assert result.pairs == [MinedPair("a", "c", 1, pytest.approx(1.0))]
    assert result.states == 3 and result.chains == 4


def test_a_cycle_is_solved() -> None:
    # u->v 3 times, u fails once: P(u) = 3/4 P(v); v->u twice, v works twice:
    # P(v) = 1/2 P(u) + 1/2  =>  P(u) = 3/5, P(v) = 4/5.
    chains = _chains(("u1", ["u", "v", "u", "v"], True), ("u2", ["u", "v"], True),
                     ("u3", ["v", "u"], False))
    assert _probability(chains, "u") == pytest.approx(0.6)
    assert _probability(chains, "v") == pytest.approx(0.8)
    direct = direct_success(chains)
    assert direct[chains.index["u"]] == pytest.approx(0.0)
    assert direct[chains.index["v"]] == pytest.approx(0.5)
    pairs = solve(chains, MarkovConfig(min_users=2)).pairs
    # v works directly half the time: not a source; u's only target is v, backed by u1 and u2.
    assert pairs == [MinedPair("u", "v", 2, pytest.approx(0.8))]


def test_an_empty_chain_yields_nothing() -> None:
    result = solve(RephraseChains())
    assert (result.pairs, result.states, result.chains) == ([], 0, 0)


def test_a_single_user_gets_a_personal_pair_but_no_global_one() -> None:
    chains = _chains(("alice", ["play maj and dragons", "play imagine dragons"], True),
                     ("alice", ["play maj and dragons", "play imagine dragons"], True))
    pairs = solve(chains, MarkovConfig(min_users=2, min_personal_support=2)).pairs
    assert pairs == [MinedPair("play maj and dragons", "play imagine dragons", 2, pytest.approx(1.0),
                               user_id="alice")]


def test_one_user_cannot_poison_the_global_table() -> None:
    chains = _chains(*[("mallory", ["x", "buy stuff"], True)] * 5,
                     ("u1", ["x", "z"], True), ("u2", ["x", "z"], True))
    pairs = solve(chains, MarkovConfig(min_users=2, min_personal_support=2)).pairs
    # mallory's five chains make no global pair; the global one serves her as well as her own
    assert pairs == [MinedPair("x", "z", 2, pytest.approx(1.0))]
    alone = solve(_chains(*[("mallory", ["x", "buy stuff"], True)] * 5),
                  MarkovConfig(min_users=2, min_personal_support=2)).pairs
    assert alone == [MinedPair("x", "buy stuff", 5, pytest.approx(1.0), user_id="mallory")]


def test_a_target_below_the_probability_bound_is_dropped() -> None:
    # y works once in three: P(y) = 1/3 < 0.5.
    chains = _chains(("u1", ["x", "y"], False), ("u2", ["x", "y"], False), ("u3", ["x", "y"], True))
    assert _probability(chains, "y") == pytest.approx(1 / 3)
    assert solve(chains, MarkovConfig(min_users=2)).pairs == []
    assert solve(chains, MarkovConfig(min_users=2, min_probability=0.3)).pairs == [
        MinedPair("x", "y", 3, pytest.approx(1 / 3))]


def test_a_source_that_mostly_works_is_not_rewritten() -> None:
    chains = _chains(("u1", ["x", "y"], True), ("u2", ["x", "y"], True),
                     *[(f"w{i}", ["x"], True) for i in range(3)])
    assert solve(chains, MarkovConfig(min_users=2)).pairs == []


def test_the_best_of_several_supported_targets_wins() -> None:
    chains = _chains(("u1", ["x", "y", "z"], True), ("u2", ["x", "y", "z"], True),
                     ("u3", ["y"], False), ("u4", ["y"], False))
    # y -> z twice, y fails twice: P(y) = 1/2; P(z) = 1.  The chain's end beats its middle.
    pairs = solve(chains, MarkovConfig(min_users=2)).pairs
    assert MinedPair("x", "z", 2, pytest.approx(1.0)) in pairs


def test_hundreds_of_thousands_of_states_solve_quickly() -> None:
    import time

    rng = random.Random(7)
    chains = RephraseChains()
    for i in range(200_000):
        chains.add(f"user{i % 500}", [f"s{i}", f"s{rng.randrange(200_000)}"], rng.random() < 0.7)
    started = time.perf_counter()
    probabilities = success_probabilities(chains)
    assert time.perf_counter() - started < 20
    assert probabilities.shape == (chains.n_states,)
    assert 0.0 <= probabilities.min() and probabilities.max() <= 1.0


def test_bad_bounds_are_refused() -> None:
    with pytest.raises(ValueError):
        MarkovConfig(min_probability=1.5)
    with pytest.raises(ValueError):
        MarkovConfig(min_users=0)


def test_a_personal_pair_is_kept_only_where_it_beats_the_global_one() -> None:
    # Everyone fixes x with z (P = 1); dora twice says y, which works one time in two.
    chains = _chains(("u1", ["x", "z"], True), ("u2", ["x", "z"], True),
                     ("dora", ["x", "y"], True), ("dora", ["x", "y"], True),
                     ("u3", ["y"], False), ("u4", ["y"], False))
    pairs = solve(chains, MarkovConfig(min_users=2, min_personal_support=2)).pairs
    assert [(p.source, p.target, p.user_id) for p in pairs] == [("x", "z", "*")]
    # ... but when dora's own target works better than the global one, it is hers.
    chains = _chains(("u1", ["x", "z"], True), ("u2", ["x", "z"], True), ("u3", ["z"], False),
                     ("u4", ["z"], False), ("dora", ["x", "y"], True), ("dora", ["x", "y"], True))
    pairs = solve(chains, MarkovConfig(min_users=2, min_personal_support=2)).pairs
    assert [(p.source, p.target, p.user_id) for p in pairs] == [("x", "z", "*"), ("x", "y", "dora")]
