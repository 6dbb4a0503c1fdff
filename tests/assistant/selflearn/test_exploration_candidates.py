"""Exploration answers as labels: the request asked about gets the chosen intent with high
confidence, "neither" gives nothing, neither the question nor the answer is a self-label, the
guards still apply, and the truth is never read."""

from __future__ import annotations

from assistant.exploration import NEITHER
from assistant.selflearn import learned
from assistant.selflearn.candidates import EXPLORATION_CONFIDENCE, LabelKind
from assistant.selflearn.pipeline import propose, score
from tests.assistant.selflearn.helpers import log, request_truth, turn, without_truth

OPTIONS = ["play_media", "ask_weather"]


def explored(user: str, start: float, goal: str, choice: str, text: str = "put the forecast on",
             answer_text: str = "tell you the weather") -> list:
    """A torn request asked about, the user's answer, and (for a choice) the replayed reading."""
    question = turn(start, text, "play_media", user=user, confidence=0.41, explore_asked=list(OPTIONS),
                    reply="Sorry, I'm not sure what you meant. Should I play something, or tell you the weather?",
                    entities=[{"entity": "media_type", "value": "forecast", "start": 8, "end": 16}],
                    truth=request_truth(goal, "ask_weather", success=True))
    if choice == NEITHER:
        answer = turn(start + 10, "neither", "deny", user=user, explore_choice=NEITHER,
                      reply="Okay, neither. Could you say it another way?",
                      truth={"goal_id": goal, "turn_kind": "answer", "success": True})
    else:
        answer = turn(start + 10, answer_text, choice, user=user, confidence=1.0, explore_choice=choice,
                      reply="In Seattle today: rainy.",
                      truth={"goal_id": goal, "turn_kind": "answer", "success": True, "goal_achieved": True})
    return [question, answer]


def records(*extra: list) -> list:
    out = log()
    for part in extra:
        out += part
    for i, record in enumerate(out, start=1):
        record.id = i
    return out


def test_an_answered_question_labels_the_request_asked_about() -> None:
    data = records(explored("dave", 9000, "dave-g0", "ask_weather"))
    labels = score(propose(data), None).labels
    [label] = [lb for lb in labels if lb.kind is LabelKind.EXPLORATION]
    assert (label.text, label.intent, label.confidence) == ("put the forecast on", "ask_weather",
                                                           EXPLORATION_CONFIDENCE)
    assert label.turn_id == data[-2].id and label.source_turn_id == data[-1].id
    assert label.entities == (("media_type", "forecast", 8, 16),)
    # the answer's words and the question are never self-labels
    assert not [lb for lb in labels if lb.text in ("tell you the weather", "put the forecast on")
                and lb.kind is not LabelKind.EXPLORATION]


def test_neither_gives_no_label() -> None:
    labels = score(propose(records(explored("dave", 9000, "dave-g0", NEITHER))), None).labels
    assert not [lb for lb in labels if lb.kind is LabelKind.EXPLORATION or lb.text in ("neither",
                                                                                       "put the forecast on")]


def test_a_choice_the_question_did_not_offer_gives_no_label() -> None:
    data = explored("dave", 9000, "dave-g0", "turn_on")
    labels = score(propose(records(data)), None).labels
    assert not [lb for lb in labels if lb.kind is LabelKind.EXPLORATION]


def test_the_same_labels_without_the_truth() -> None:
    data = records(explored("dave", 9000, "dave-g0", "ask_weather"), explored("erin", 12000, "erin-g0", NEITHER))
    with_truth = score(propose(data), None).labels
    assert any(lb.kind is LabelKind.EXPLORATION for lb in with_truth)
    assert score(propose(without_truth(data)), None).labels == with_truth


def test_exploration_labels_still_pass_the_guards() -> None:
    parts = [explored("dave", 9000 + 100 * i, f"dave-g{i}", "ask_weather", text=f"put the forecast on {word}")
             for i, word in enumerate(("now", "today", "please", "again", "here"))]
    labels = [lb for lb in score(propose(records(*parts)), None).labels if lb.kind is LabelKind.EXPLORATION]
    assert len(labels) == 5
    merged = learned.merge([], labels, guards=learned.Guards(max_user_share=0.2, min_per_user=2))
    assert len(merged.examples) == 2 and merged.dropped["its users already taught this intent their share"] == 3
    assert not learned.merge([], labels, forgotten={"dave"}).examples


def test_an_answer_is_never_corrected_to_the_goal_that_worked_later() -> None:
    data = explored("dave", 9000, "dave-g0", "ask_weather", answer_text="the weather in the city")
    data[1].feedback = {"rephrase": True}
    data[1].asr_confidence = 0.5
    data.append(turn(9030, "the weather in the city please", "ask_weather", user="dave",
                     reply="In Seattle today: rainy.",
                     truth=request_truth("dave-g0", "ask_weather", success=True, achieved=True)))
    labels = score(propose(records(data)), None).labels
    assert "the weather in the city" not in [lb.text for lb in labels]
    assert ("put the forecast on", "ask_weather") in [(lb.text, lb.intent) for lb in labels]
