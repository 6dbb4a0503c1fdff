"""The gate's rules, its guard set, and one real judging of the project's model."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from assistant.paths import PROJECT_ROOT
from lab.evaluation import gate


def _figures(accuracy: float, failed: list[str] | None = None) -> gate.GuardFigures:
    return gate.GuardFigures(accuracy, 200, None, 0, 20, failed or [])


def test_half_a_point_is_allowed_more_is_not() -> None:
    assert gate.decide(_figures(0.896), _figures(0.900)).promote
    verdict = gate.decide(_figures(0.894), _figures(0.900))
    assert not verdict.promote and "0.6 points" in verdict.reasons[0]


def test_a_conversation_that_newly_fails_blocks_one_that_failed_before_does_not() -> None:
    assert gate.decide(_figures(0.95, ["lights"]), _figures(0.9, ["lights"])).promote
    verdict = gate.decide(_figures(0.95, ["lights", "oven"]), _figures(0.9, ["lights"]))
    assert not verdict.promote and verdict.reasons == ["regression conversations would newly fail: oven"]


def test_without_a_current_model_only_failing_conversations_block() -> None:
    assert gate.decide(_figures(0.5), None).promote
    assert not gate.decide(_figures(0.99, ["x"]), None).promote


def test_held_back_is_stable_and_about_one_in_ten() -> None:
    texts = [f"example number {i}" for i in range(2000)]
    share = sum(map(gate.held_back, texts)) / len(texts)
    assert 0.07 < share < 0.13
    assert [gate.held_back(t) for t in texts[:50]] == [gate.held_back(t.upper() + " ") for t in texts[:50]]


def test_the_guard_examples_are_the_test_stories_intents_known_to_the_domain() -> None:
    pairs = gate.story_examples()
    assert len(pairs) >= 50
    declared = set()
    for path in (PROJECT_ROOT / "domain").glob("*.yml"):
        declared.update((yaml.safe_load(path.read_text()) or {}).get("intents") or [])
    assert {intent for _, intent in pairs} <= declared | {"nlu_fallback", "out_of_scope"}
    assert not any("](" in text for text, _ in pairs)


def test_judging_the_project_model_in_the_real_stack(trained_model: Path) -> None:
    conversation = sorted(gate.CONVERSATIONS.glob("*.yml"))[:1]
    figures = gate.judge(trained_model, [("turn on the kitchen lights", "turn_on")], conversations=conversation)
    assert figures.examples == len(gate.story_examples()) + 1
    assert figures.intent_accuracy > 0.8
    assert figures.held_back_accuracy == 1.0
    assert figures.conversations == 1 and figures.failed_conversations == []


def test_judging_two_models_in_one_process_reuses_the_cached_fixed_part(trained_model: Path, tmp_path: Path) -> None:
    conversation = sorted(gate.CONVERSATIONS.glob("*.yml"))[:1]
    cache = tmp_path / "guard-cache.json"
    same = tmp_path / "same.tar.gz"
    same.write_bytes(trained_model.read_bytes())
    first, second = gate.judge_pair(trained_model, same, [("turn on the kitchen lights", "turn_on")],
                                    conversations=conversation, cache=cache)
    assert second is not None and first.to_dict() == second.to_dict()
    assert len(json.loads(cache.read_text())) == 1      # one model by its hash: judged once
    # A cached result is what the next judgement reports, with the held-back part parsed again.
    again, none = gate.judge_pair(same, None, [("turn off the kitchen lights", "turn_off")],
                                  conversations=conversation, cache=cache)
    assert none is None and again.held_back_accuracy == 1.0
    assert again.failed_conversations == first.failed_conversations
