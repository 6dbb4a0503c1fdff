"""The markdown tables for docs/RESULTS.md, from a population run's JSON."""

from __future__ import annotations

from simulator.population.table import markdown


def test_arms_side_by_side_with_failure_points() -> None:
    payload = {"arm": "all", "arms": {
        "baseline": {"turns": 10, "task_success_rate": 0.5, "defect_reduction": None,
                     "failure_points": {"nlu": 4, "asr": 1}},
        "full": {"turns": 9, "task_success_rate": 0.75, "defect_reduction": 0.25, "failure_points": {"nlu": 2}},
    }}
    text = markdown(payload)
    assert "| measure | baseline | full |" in text
    assert "| task success | 0.500 | 0.750 |" in text
    assert "| defect reduction vs baseline | - | +25.0% |" in text
    assert "| asr | 1 | 0 |" in text and "| nlu | 4 | 2 |" in text


def test_each_learning_layer_has_its_own_record() -> None:
    from simulator.population.metrics import layer_records

    run = {"rewrites_by_source": {"precomputed": {"wins": 3, "losses": 1}, "global": {"wins": 2, "losses": 0},
                                  "phrase": {"wins": 5, "losses": 1}, "personal_phrase": {"wins": 7, "losses": 0},
                                  "personal_correction": {"wins": 9, "losses": 9}},
           "repairs_by_scope": {"global": {"wins": 4, "losses": 2}}}
    assert layer_records(run) == {"utterance rewrites": (5, 1), "phrase rules": (5, 1),
                                  "personal phrase rules": (7, 0), "global repair": (4, 2), "personal repair": (0, 0)}
    table = markdown({"arm": "global", **run})
    assert "| phrase rules wins:losses | 5:1 |" in table
