"""Adversaries in a population run (issue 18): who they are, what they push, the harm judged
against the truth."""

from __future__ import annotations

import itertools
import json

import pytest

from assistant.turn import TurnResult
from simulator.population.adversary import (
    OPPOSITES,
    Adversaries,
    AdversaryConfig,
    AdversaryKind,
    choose,
    plan_attacks,
)
from simulator.population.goals import GoalKind
from simulator.population.run import RunReport, run_population
from simulator.population.session import GoalTrace, TurnTrace
from simulator.population.truth import TurnKind
from simulator.population.users import generate_population
from tests.simulator.population.fakes import FakeRuntime


def _ticks():
    counter = itertools.count()
    return lambda: next(counter) * 0.01


def test_the_same_seed_chooses_the_same_adversaries() -> None:
    population = generate_population(20, 3)
    assert choose(population, 0.1, 3) == choose(population, 0.1, 3)
    assert len(choose(population, 0.1, 3)) == 2
    assert len(choose(population, 0.05, 3)) == 1
    assert choose(population, 0.0, 3) == frozenset()


def test_attacks_include_opposites_and_other_kinds() -> None:
    common = [("lights_on", "turn on the lights"), ("weather", "what's the weather"),
              ("music", "play some jazz"), ("garage", "open the garage door")]
    attacks = plan_attacks(common, AdversaryConfig(0.1, pairs=7), seed=1)
    assert [(a.source, a.target) for a in attacks[:len(OPPOSITES)]] == list(OPPOSITES)
    crossing = [a for a in attacks if not a.opposite]
    assert crossing and all(a.source != a.target for a in crossing)
    assert plan_attacks(common, AdversaryConfig(0.1, pairs=7), seed=1) == attacks


def test_a_bad_fraction_is_refused() -> None:
    with pytest.raises(ValueError, match="within 0..1"):
        AdversaryConfig(1.5)


def _run(kind: AdversaryKind, fraction: float = 0.25, seed: int = 5) -> tuple[RunReport, FakeRuntime]:
    runtime = FakeRuntime()
    report = run_population(runtime, users=4, days=2, seed=seed, arm="baseline", miner=None, timer=_ticks(),
                            adversary=AdversaryConfig(fraction, kind, pairs=5, chains_per_pair=2))
    return report, runtime


def test_rewrite_attackers_play_their_chains_and_the_run_reports_them() -> None:
    report, runtime = _run(AdversaryKind.REWRITE)
    harm = report.adversaries
    [attacker] = harm["adversaries"]
    assert harm["attack_turns"] == 2 * 2 * 5 * 2   # days x chains x pairs x (source, fix)
    said = [r.text for r in runtime.log.rows.values() if r.user_id == attacker]
    assert "close the garage door" in said and "open the garage door" in said
    assert harm["victim_turns"] > 0 and harm["harmed_victim_turns"] == 0   # the fake never rewrites


def test_the_same_seed_gives_the_same_harm_report() -> None:
    first = json.dumps(_run(AdversaryKind.BOTH)[0].adversaries, sort_keys=True)
    assert json.dumps(_run(AdversaryKind.BOTH)[0].adversaries, sort_keys=True) == first


def test_label_attackers_move_on_after_a_wrong_answer() -> None:
    report, _ = _run(AdversaryKind.LABEL, fraction=0.5)
    attackers = set(report.adversaries["adversaries"])
    assert report.adversaries["attack_turns"] == 0
    for _, goal in report.goals:
        requests = [t for t in goal.turns if t.kind is TurnKind.REQUEST]
        if goal.turns and goal.turns[0].user_id in attackers:
            assert len(requests) <= 1
    honest = [g for _, g in report.goals if g.turns and g.turns[0].user_id not in attackers]
    assert any(len([t for t in g.turns if t.kind is TurnKind.REQUEST]) > 1 for g in honest)


def test_harm_is_a_rewritten_victim_turn_that_applied_what_the_goal_did_not_want() -> None:
    population = generate_population(4, 2)
    hostile = Adversaries(AdversaryConfig(0.25), population, days=1, seed=2, goals_per_day=1)
    [attacker] = hostile.ids
    victim = next(u.user_id for u in population if u.user_id != attacker)

    def trace(turn_id: int, user: str, success: bool) -> TurnTrace:
        return TurnTrace(0, user, "g", TurnKind.REQUEST, success, None, False, "global", None, turn_id=turn_id)

    rewritten = {"source": "global", "original": "close the garage door", "rewritten": "open the garage door"}
    hostile.results = {
        1: TurnResult("open the garage door", applied=["open garage_door"], rewrite=rewritten),  # harmed
        2: TurnResult("open the garage door", applied=["open garage_door"], rewrite=rewritten),  # it worked
        3: TurnResult("close the garage door", applied=["close garage_door"]),                   # no rewrite
        4: TurnResult("open the garage door", applied=["open garage_door"], rewrite=rewritten),  # attacker
    }
    goal = GoalTrace("g", GoalKind(next(iter(k.value for k in GoalKind))),
                     turns=[trace(1, victim, False), trace(2, victim, True), trace(3, victim, False),
                            trace(4, attacker, False)])
    report = RunReport("global", 4, 1, 2, goals=[(0, goal)])
    harm = hostile.judge(report)
    assert (harm.victim_turns, harm.rewritten_victim_turns, harm.harmed_victim_turns) == (3, 2, 1)
    assert harm.harmed_examples[0]["applied"] == ["open garage_door"]


def test_a_phrase_rule_taken_from_the_attackers_pairs_counts_as_harmful() -> None:
    from simulator.population.adversary import _attack_spans, _phrase_harm

    spans = _attack_spans({("play the news on the radio", "play the jazz on the radio")})
    assert _phrase_harm(("news", "jazz"), spans) == "a phrase rule taken from the attackers' pairs"
    assert _phrase_harm(("maj and", "imagine"), spans) == ""
    assert _phrase_harm(("on", "off"), spans) != ""   # touches what a request does, whoever pushed it
