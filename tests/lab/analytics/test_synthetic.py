from __future__ import annotations

from lab.analytics.synthetic import SyntheticConfig, generate


def _log(seed: int):
    return [(r.user_id, r.text, r.intent, r.timestamp, r.truth["failure_point"])
            for r in generate(seed, SyntheticConfig(users=2, days=1))]


def test_same_seed_same_log_other_seed_other_users() -> None:
    assert _log(5) == _log(5)
    assert {u for u, *_ in _log(5)}.isdisjoint({u for u, *_ in _log(6)})


def test_every_failure_point_occurs() -> None:
    points = {r.truth["failure_point"] for r in generate(1, SyntheticConfig(users=10, days=2))}
    assert points == {None, "false_wake", "asr", "nlu", "entity_resolution", "result"}
