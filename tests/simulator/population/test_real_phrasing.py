"""Real phrasing: rows that fit a goal, said with its values; personal sets; the held-out tenth;
out-of-scope goals; population runs that speak HWU64 through the fake runtime."""

from __future__ import annotations

import itertools
import json
import random
import re

import pytest

from assistant.turn import TurnResult
from simulator.population import run as run_module
from simulator.population.goals import GoalKind, build_goal
from simulator.population.hwu64 import HwuDataError, load_corpus, to_speech
from simulator.population.hwu_mapping import ReactionKind
from simulator.population.metrics import summarize
from simulator.population.out_of_scope import out_of_scope_goal
from simulator.population.real_phrasing import KIND_SPECS, held_out_examples, load_phrasing, render
from simulator.population.run import PopulationError, run_population
from simulator.population.truth import outcome_met
from simulator.population.users import generate_population
from simulator.population.voice import PhrasingMode, make_voice
from simulator.truth_store import turns_with_truth
from tests.simulator.population.fakes import FakeRuntime


@pytest.fixture(scope="module")
def phrasing():
    return load_phrasing()


@pytest.fixture(scope="module")
def users():
    return generate_population(4, seed=31)


def test_the_goals_values_replace_the_spans_and_the_rest_stays(phrasing, users) -> None:
    goal = build_goal(GoalKind.LIGHT_OFF, users[0], "g", "21:00", random.Random(2))
    rows = [r for r in phrasing.by_kind[GoalKind.LIGHT_OFF] if "house_place" in r.span_types]
    assert rows
    for row in rows[:20]:
        said = render(row, KIND_SPECS[GoalKind.LIGHT_OFF][0], goal)
        expected = " ".join(to_speech(p.text) if p.span is None else goal.slots["room"] for p in row.pieces)
        assert said == " ".join(expected.split())
        assert goal.slots["room"] in said


def test_a_brightness_sentence_says_the_goals_number(phrasing, users) -> None:
    goal = build_goal(GoalKind.BRIGHTNESS, users[1], "g", "21:00", random.Random(4))
    pairs = phrasing.fitting(goal)
    assert pairs
    for row, spec in pairs:
        assert f"to {goal.slots['number']} percent" in render(row, spec, goal)


def test_rows_asking_for_something_else_are_left_out(phrasing) -> None:
    assert all("time" not in r.span_types for r in phrasing.by_kind[GoalKind.LIGHT_OFF])
    assert all("change_amount" in r.span_types for r in phrasing.by_kind[GoalKind.BRIGHTNESS])
    assert all("place_name" in r.span_types for r in phrasing.by_kind[GoalKind.WEATHER_CITY])
    # HWU64 has no thermostat, garage, lock or TV rows: those kinds keep the templates
    for kind in (GoalKind.THERMOSTAT, GoalKind.GARAGE_OPEN, GoalKind.LOCK, GoalKind.TV_ON):
        assert kind not in phrasing.by_kind


def test_no_simulated_user_can_speak_a_held_out_row(phrasing) -> None:
    spoken = {r.id for rows in phrasing.by_kind.values() for r in rows}
    spoken |= {r.id for rows in phrasing.reactions.values() for r in rows}
    spoken |= {r.id for r in phrasing.out_of_scope}
    assert not spoken & phrasing.held_out
    examples = held_out_examples(phrasing)
    assert {e.row_id for e in examples} == phrasing.held_out
    calendar = [e for e in examples if e.hwu_intent == "calendar_query"]
    assert calendar and all(e.expected_intent == "out_of_scope" for e in calendar)


def test_people_reuse_their_own_sentences(phrasing, users) -> None:
    user = users[2]
    voice = make_voice(user.user_id, 9, PhrasingMode.REAL, phrasing)
    assert voice == make_voice(user.user_id, 9, PhrasingMode.REAL, phrasing)
    own = {r.id for r in voice.personal[GoalKind.COFFEE]}
    openings = [voice.first(build_goal(GoalKind.COFFEE, user, f"g{i}", "07:10", random.Random(i)))
                for i in range(40)]
    from_own = sum(u is not None and u.row_id in own for u in openings)
    assert from_own >= 30  # mostly their own few sentences, now and then a new one
    assert len({u.row_id for u in openings if u is not None}) < 12


def test_mixed_gives_each_person_a_share_and_templates_none(phrasing, users) -> None:
    shares = [make_voice(u.user_id, 3, PhrasingMode.MIXED, phrasing).share for u in users]
    assert all(0.2 <= s <= 0.8 for s in shares) and len(set(shares)) > 1
    template = make_voice(users[0].user_id, 3, PhrasingMode.TEMPLATES, phrasing)
    goal = build_goal(GoalKind.COFFEE, users[0], "g", "07:10", random.Random(1))
    assert not template.speaks_real(goal)
    assert template.reaction(ReactionKind.WRONG, "t") is None and template.first(goal) is None


def test_out_of_scope_is_judged_by_the_typed_result(phrasing, users) -> None:
    row = phrasing.out_of_scope[0]
    goal = out_of_scope_goal(row, users[0], "g", "10:10", random.Random(1))
    assert goal.phrasings == (to_speech(row.sentence),) and goal.hwu64_id == row.id
    refused = TurnResult(text="x", replies=["Sure thing!"], intent="out_of_scope")
    assert outcome_met(goal, refused, "u", None)  # the wording does not matter
    wrong = TurnResult(text="x", replies=["Sorry, I can't do that."], intent="turn_on")
    assert not outcome_met(goal, wrong, "u", None)
    acted = TurnResult(text="x", intent="out_of_scope", applied=["turn_on kitchen_light"])
    assert not outcome_met(goal, acted, "u", None)


def _ticks():
    counter = itertools.count()
    return lambda: next(counter) * 0.01


def _run(runtime: FakeRuntime, phrasing: str, seed: int = 5) -> dict:
    report = run_population(runtime, users=4, days=2, seed=seed, arm="baseline", miner=None, timer=_ticks(),
                            phrasing=phrasing)
    return summarize(report)


@pytest.mark.parametrize("mode", ["real", "mixed"])
def test_a_real_phrasing_run_is_the_same_for_the_same_seed(mode: str) -> None:
    first = json.dumps(_run(FakeRuntime(), mode), sort_keys=True)
    assert first == json.dumps(_run(FakeRuntime(), mode), sort_keys=True)
    assert first != json.dumps(_run(FakeRuntime(), mode, seed=6), sort_keys=True)


def test_a_real_run_speaks_hwu64_and_says_which_row(phrasing) -> None:
    runtime = FakeRuntime()
    figures = _run(runtime, "real")
    assert figures["phrasing"] == "real"
    assert figures["real_phrasing_share"] > 0.5
    assert figures["in_scope_success"] is not None
    rows = {r.id: r for r in load_corpus().rows}
    requests = [r.truth for r in turns_with_truth(runtime.log) if r.truth.get("turn_kind") == "request"]
    real = [t for t in requests if t["hwu64_id"] is not None]
    assert real and all(t["hwu64_id"] not in phrasing.held_out for t in real)
    for truth in real:  # a real sentence keeps its words outside the spans
        row = rows[truth["hwu64_id"]]
        kept = [w for p in row.pieces if p.span is None for w in to_speech(p.text).split()]
        assert all(re.search(rf"\b{re.escape(w)}\b", truth["said"]) for w in kept), (row.sentence, truth["said"])


def test_templates_speak_no_hwu64() -> None:
    runtime = FakeRuntime()
    figures = _run(runtime, "templates")
    assert figures["real_phrasing_share"] == 0.0 and figures["out_of_scope_goals"] == 0
    assert all(r.truth.get("hwu64_id") is None for r in turns_with_truth(runtime.log))


def test_a_bad_corpus_stops_the_run_before_any_turn(tmp_path, monkeypatch) -> None:
    bad = tmp_path / "hwu64.jsonl"
    bad.write_text('{"id": 1, "sentence": "hi", "intent": "x", "annotation": "[a : hi]", "entities": []}\n')
    monkeypatch.setattr(run_module, "load_phrasing", lambda: load_phrasing(bad))
    runtime = FakeRuntime()
    with pytest.raises(PopulationError, match=rf"{re.escape(str(bad))}:1 \(row 1\)"):
        run_population(runtime, users=2, days=1, seed=1, arm="baseline", miner=None, phrasing="real")
    assert runtime.resets == 0 and not list(runtime.log.turns())
    with pytest.raises(HwuDataError):
        load_phrasing(bad)


def test_a_taste_is_stated_in_a_real_persons_words_with_the_users_value() -> None:
    phrasing = load_phrasing()
    voice = make_voice("u1", 7, PhrasingMode.REAL, phrasing)
    said = voice.statement("music_genre", "reggae", "g1:music_genre")
    assert said is not None and said.row_id is not None and "reggae" in said.text
    assert phrasing.corpus.rows[[r.id for r in phrasing.corpus.rows].index(said.row_id)].intent == "music_likeness"
    assert said.row_id not in phrasing.held_out
    assert voice.statement("music_genre", "reggae", "g1:music_genre") == said   # the same each time
    assert voice.statement("cuisine", "thai", "g1:cuisine") is None             # no real row says that taste
    assert make_voice("u1", 7, PhrasingMode.TEMPLATES, phrasing).statement("music_genre", "reggae", "t") is None
