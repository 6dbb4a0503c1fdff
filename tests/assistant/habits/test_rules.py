"""The habits rules agree with the code: every step intent answers "Can you teach me?"."""

from __future__ import annotations

import yaml

from assistant.habits.pending import STEP_INTENTS
from assistant.paths import PROJECT_ROOT


def _conditioned() -> dict[tuple[str, str], list[object]]:
    rules = yaml.safe_load((PROJECT_ROOT / "stories" / "rules" / "habits.yml").read_text(encoding="utf-8"))["rules"]
    out: dict[tuple[str, str], list[object]] = {}
    for rule in rules:
        for condition in rule.get("condition") or []:
            for slot in condition.get("slot_was_set") or []:
                waiting = slot.get("habits_pending")
                steps = rule["steps"]
                then = next((s["slot_was_set"][0]["habits_pending"] for s in steps[2:] if "slot_was_set" in s), "-")
                out.setdefault((str(waiting), steps[0]["intent"]), []).append((steps[1]["action"], then))
    return out


def test_every_step_intent_answers_the_teaching_question_both_ways() -> None:
    # One rule where the steps ask to confirm, one where they can't be learned (Rasa needs both).
    rules = _conditioned()
    step_rules = {intent for waiting, intent in rules if waiting == "steps" and intent in STEP_INTENTS}
    assert step_rules == STEP_INTENTS
    for intent in STEP_INTENTS:
        assert sorted(rules[("steps", intent)], key=str) == sorted(
            [("action_teach_steps", "confirm"), ("action_teach_steps", None)], key=str)


def test_yes_and_no_answer_every_question_that_takes_them() -> None:
    rules = _conditioned()
    for waiting in ("confirm", "routine"):
        assert {intent for w, intent in rules if w == waiting} == {"affirm", "deny"}
    assert ("steps", "deny") in rules
