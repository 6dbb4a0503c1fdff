"""Population runs through a fake runtime: determinism, clean learning per arm, truth for
every turn, the metrics' keys and arithmetic."""

from __future__ import annotations

import itertools
import json

import pytest

from simulator.population.metrics import CONTRACT_KEYS, summarize, teachable_scores
from simulator.population.run import PopulationError, run_population
from simulator.population.session import TurnTrace
from simulator.population.truth import TurnKind
from simulator.truth_store import for_log, turns_with_truth
from tests.simulator.population.fakes import FakeRuntime


def _ticks():
    counter = itertools.count()
    return lambda: next(counter) * 0.01


def _run(runtime: FakeRuntime, arm: str = "baseline", seed: int = 5) -> dict:
    report = run_population(runtime, users=4, days=2, seed=seed, arm=arm, miner=None, timer=_ticks())
    return summarize(report)


def test_one_seed_gives_identical_json() -> None:
    first = json.dumps(_run(FakeRuntime()), sort_keys=True)
    second = json.dumps(_run(FakeRuntime()), sort_keys=True)
    assert first == second
    assert json.dumps(_run(FakeRuntime(), seed=6), sort_keys=True) != first


def test_arms_start_clean_and_meet_the_same_first_turns() -> None:
    runtime = FakeRuntime()
    _run(runtime, "baseline")
    baseline = [(r.user_id, r.text) for r in runtime.log.turns()]
    _run(runtime, "teachable")
    teachable = [(r.user_id, r.text) for r in runtime.log.turns()]
    assert runtime.resets == 2
    # Every simulated user starts each arm in a fresh conversation, met by this process or not:
    # a bare user id names what an earlier run left in the tracker store.
    assert runtime.fresh_conversations == sorted(set(runtime.fresh_conversations)) * 2
    assert len(runtime.fresh_conversations) == 2 * 4
    assert for_log(runtime.log).count() == len(teachable)   # the first arm's truth went with its log
    # Until teaching changes the conversation, both arms hear exactly the same things.
    assert baseline[:5] == teachable[:5]


def test_every_logged_turn_has_truth_and_each_goal_ends_with_its_outcome() -> None:
    runtime = FakeRuntime()
    _run(runtime)
    rows = turns_with_truth(runtime.log)   # the truth is kept beside the log, joined on the turn id
    assert rows and for_log(runtime.log).count() == len(rows)
    for row in rows:
        assert {"goal_id", "success", "failure_point", "reaction", "said", "heard"} <= set(row.truth)
        assert row.truth["success"] == (row.truth["failure_point"] is None)
    by_goal: dict[str, list] = {}
    for row in rows:
        if row.truth.get("turn_kind") != "false_wake":   # a false wake is no goal of the user's
            by_goal.setdefault(row.truth["goal_id"], []).append(row)
    assert len(by_goal) >= 4
    for goal, turns in by_goal.items():
        # Every goal ends, on its own last turn and only there, with a yes-or-no outcome.
        marked = [t for t in turns if "goal_achieved" in t.truth]
        assert marked == [turns[-1]], goal
        assert isinstance(turns[-1].truth["goal_achieved"], bool)
    assert {t[-1].truth["goal_achieved"] for t in by_goal.values()} == {True, False}


def test_sessions_end_and_timestamps_follow_the_home_clock() -> None:
    runtime = FakeRuntime()
    _run(runtime)
    users = {user for user, _ in runtime.ended}
    assert len(users) == 4
    stamps = [t for t in runtime.timestamps if t is not None]
    assert len(stamps) == len(runtime.timestamps)
    assert (stamps[-1] - stamps[0]).days >= 1


def test_the_json_has_the_contract_keys() -> None:
    figures = _run(FakeRuntime())
    assert list(figures)[: len(CONTRACT_KEYS)] == list(CONTRACT_KEYS)
    assert len(figures["defect_rate_by_day"]) == 2
    assert figures["turns_per_second"] > 0


def test_teaching_offers_are_scored_against_the_previous_turn() -> None:
    def turn(success: bool, offered: bool) -> TurnTrace:
        return TurnTrace(day=0, user_id="u", goal_id="g", kind=TurnKind.REQUEST, success=success,
                         failure_point=None, offered=offered, rewrite_source=None, preference_correct=None)

    # defect -> offer (hit), success -> offer (false alarm), defect -> no offer (miss)
    turns = [turn(False, False), turn(True, True), turn(True, True), turn(False, False), turn(True, False)]
    offers, hits, positives = teachable_scores({("u", 0): turns})
    assert (offers, hits, positives) == (2, 1, 2)


def test_bad_arguments_are_refused_clearly() -> None:
    with pytest.raises(PopulationError, match="at least one user"):
        run_population(FakeRuntime(), users=0, days=1, seed=1, arm="baseline")
    with pytest.raises(PopulationError, match="unknown arm"):
        run_population(FakeRuntime(), users=1, days=1, seed=1, arm="sometimes")


def test_the_figures_say_which_channel_was_heard_and_its_word_errors() -> None:
    figures = _run(FakeRuntime())
    assert figures["asr"] == "confusions"
    errors = figures["word_errors"]
    assert 0.0 <= figures["word_error_rate"] < 0.2 and errors["words"] > 0
    assert errors["substitutions"] + errors["deletions"] + errors["insertions"] == round(
        figures["word_error_rate"] * errors["words"])
    assert len(errors["by_user_decile"]) == 10 and errors["by_device"]


def test_the_teachable_arm_learns_from_activity_between_days_and_says_so() -> None:
    report = run_population(FakeRuntime(), users=2, days=2, seed=5, arm="teachable", miner=None)
    assert report.notes == ["day 0: no preference store: nothing inferred"]   # the fake has none; no crash
    baseline = run_population(FakeRuntime(), users=2, days=2, seed=5, arm="baseline", miner=None)
    assert baseline.notes == []


def test_learning_from_activity_stores_what_a_user_chose_again_and_again(tmp_path) -> None:
    import datetime as dt
    from types import SimpleNamespace

    from assistant.learning.log import InteractionLog, TurnRecord
    from assistant.prefs.keys import PrefKey, Source
    from assistant.prefs.store import PreferenceStore
    from simulator.population.run import learn_from_activity

    log = InteractionLog.open(tmp_path / "learning.db")
    prefs = PreferenceStore.open(tmp_path / "prefs.db")
    start = dt.datetime(2026, 3, 1, 18, 0)
    for day in range(3):
        log.record(TurnRecord(user_id="u1", device_id="kitchen_speaker", session_id=f"s{day}",
                              timestamp=start + dt.timedelta(days=day), text="play some jazz", intent="play_media",
                              directives=["play kitchen_speaker jazz|music"]))
    runtime = SimpleNamespace(log=log, preferences=prefs, data=SimpleNamespace(prefs_url=f"sqlite:///{tmp_path / 'prefs.db'}"))
    assert learn_from_activity(runtime) == "inferred 1 preferences from activity"
    [pref] = prefs.get("u1", PrefKey.MUSIC_GENRE)
    assert (pref.value, pref.source) == ("jazz", Source.IMPLICIT)


def test_one_learning_layer_can_be_switched_off_alone() -> None:
    runtime = FakeRuntime()
    report = run_population(runtime, users=2, days=1, seed=5, arm="personal", miner=None,
                            without=["phrase_rules", "personal_repair"])
    flags = runtime.learning
    assert (flags.phrase_rules, flags.personal_repair) == (False, False)
    assert (flags.global_, flags.personal, flags.global_repair, flags.precomputed) == (True, True, True, True)
    assert summarize(report)["layers_off"] == ["personal_repair", "phrase_rules"]
    with pytest.raises(PopulationError, match="unknown learning layer 'magic'"):
        run_population(FakeRuntime(), users=1, days=1, seed=1, arm="global", without=["magic"])


def test_shards_of_the_users_merge_into_the_one_process_run() -> None:
    # The fake assistant learns nothing, so the unit is the splitting and the merging; the real stack's
    # teachable arm is checked in tests/simulator/population/test_parallel.py.
    from simulator.population.run import merge_reports
    from simulator.population.users import generate_population

    def report(shard: tuple[int, int]) -> object:
        return run_population(FakeRuntime(), users=5, days=2, seed=5, arm="teachable", miner=None, timer=_ticks(),
                              shard=shard)

    whole = report((0, 1))
    parts = [report((k, 2)) for k in range(2)]
    assert {len(parts[0].goals), len(parts[1].goals)} != {0} and sum(len(p.goals) for p in parts) == len(whole.goals)
    merged = merge_reports(parts, [u.user_id for u in generate_population(5, 5)])
    assert [g.goal_id for _, g in merged.goals] == [g.goal_id for _, g in whole.goals]
    assert merged.notes == whole.notes
    assert {k: v for k, v in summarize(merged).items() if k not in ("seconds", "turns_per_second")} == \
        {k: v for k, v in summarize(whole).items() if k not in ("seconds", "turns_per_second")}


def test_an_arm_whose_users_learn_from_each_other_is_not_split() -> None:
    with pytest.raises(PopulationError, match="learn from each other"):
        run_population(FakeRuntime(), users=4, days=1, seed=5, arm="global", miner=None, shard=(0, 2))
