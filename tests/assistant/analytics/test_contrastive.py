from __future__ import annotations

from collections import Counter

from assistant.analytics import contrastive, evaluate, training
from assistant.analytics import failure_point as fp
from assistant.analytics.pipeline import analyze
from assistant.analytics.synthetic import SyntheticConfig, generate


def test_every_stage_is_damaged_and_the_log_is_left_alone() -> None:
    records = list(generate(1, SyntheticConfig(users=4, days=1)))
    before = [r.to_json() for r in records]
    made, labels = contrastive.generate(records, seed=3)
    assert [r.to_json() for r in records] == before
    assert set(Counter(labels)) == {d.value for d in contrastive.Damage}
    assert all(r.truth is None for r in made)
    assert contrastive.generate(records, seed=3)[1] == labels          # seeded
    assert contrastive.generate([], seed=3) == ([], [])


def test_pretraining_alone_beats_the_rules_without_any_truth() -> None:
    unlabelled = list(generate(1, SyntheticConfig(users=12, days=2)))
    rows, labels = training.contrastive_rows(unlabelled, 0)
    model = fp.FailurePointModel.train([], [], pretrain=(rows, labels))
    held = list(generate(3, SyntheticConfig(users=12, days=1)))
    by_model = evaluate.failure_points(analyze(held, model=model))["accuracy_on_failed_turns"]
    by_rules = evaluate.failure_points(analyze(held))["accuracy_on_failed_turns"]
    assert by_model > by_rules
