"""Nothing the analytics predict may come from the simulator's truth column."""

from __future__ import annotations

import copy

from assistant.analytics.pipeline import analyze, training_set
from lab.analytics import training
from lab.analytics.synthetic import SyntheticConfig, generate


def _without_truth(records):
    stripped = copy.deepcopy(records)
    for record in stripped:
        record.truth = None
    return stripped


def test_same_features_and_predictions_without_the_truth_column() -> None:
    train = [list(generate(seed, SyntheticConfig(users=3, days=1))) for seed in (1, 2)]
    model = training.train_on_logs(train)
    held = list(generate(7, SyntheticConfig(users=4, days=1)))
    with_truth = analyze(held, model=model)
    without = analyze(_without_truth(held), model=model)
    assert with_truth.rows == without.rows
    assert with_truth.points == without.points
    assert [g.achieved for g in with_truth.goals] == [g.achieved for g in without.goals]
    assert analyze(held).points == analyze(_without_truth(held)).points     # the rules too
    assert training_set(without) == ([], [])                                  # and truth really was there
    assert training_set(with_truth)[0]

