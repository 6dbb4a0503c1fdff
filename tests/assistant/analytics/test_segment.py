from __future__ import annotations

from assistant.analytics.segment import SegmentConfig, continues, segment
from assistant.similarity import embedding_similarity, token_similarity
from tests.assistant.analytics.helpers import numbered, turn


def _texts(goals):
    return [[t.text for t in g.turns] for g in goals]


def test_repeat_rephrase_and_answers_stay_in_the_goal_new_requests_start_one() -> None:
    records = numbered(
        turn(0, "turn on the kitchen light", "turn_on", entities={"device": "kitchen light"}),
        turn(6, "turn on the kitchen light please", "turn_on", entities={"device": "kitchen light"}),
        turn(12, "no that's wrong", "complain"),
        turn(20, "switch the kitchen light on", "nlu_fallback", confidence=0.3,
             feedback={}),
        turn(40, "what time is it", "ask_time"),
        turn(45, "thanks", "thank"),
        turn(900, "what time is it", "ask_time"),          # a quarter of an hour later: a new goal
    )
    goals = segment(records, token_similarity)
    assert _texts(goals) == [
        ["turn on the kitchen light", "turn on the kitchen light please", "no that's wrong",
         "switch the kitchen light on"],
        ["what time is it", "thanks"],
        ["what time is it"],
    ]
    assert goals[0].last_request.text == "switch the kitchen light on"
    assert [t.text for t in goals[0].requests] == ["turn on the kitchen light", "turn on the kitchen light please",
                                                   "switch the kitchen light on"]


def test_same_words_other_device_is_a_new_goal() -> None:
    records = numbered(
        turn(0, "turn on the kitchen light", "turn_on", entities={"device": "kitchen light"}),
        turn(8, "turn on the bedroom light", "turn_on", entities={"device": "bedroom light"}),
    )
    assert len(segment(records, token_similarity)) == 2


def test_confidently_different_intents_are_different_goals_despite_overlap() -> None:
    records = numbered(
        turn(0, "lock the front door", "lock_device", confidence=0.97),
        turn(10, "is the front door locked", "ask_device_state", confidence=0.96),
    )
    assert len(segment(records, token_similarity)) == 2


def test_runtime_repeat_flag_continues_the_goal() -> None:
    records = numbered(
        turn(0, "play maj and dragons", "play_media", confidence=0.6, feedback={"rephrase": True}),
        turn(7, "put on imagine dragons", "play_media", confidence=0.95),
    )
    assert len(segment(records, lambda pairs: [0.0] * len(pairs))) == 1


def test_sessions_and_users_are_kept_apart_and_goals_follow_log_order() -> None:
    records = numbered(
        turn(0, "what time is it", "ask_time", user="alice", session="a"),
        turn(1, "what time is it", "ask_time", user="bob", session="b"),
        turn(5, "what time is it", "ask_time", user="alice", session="a"),
    )
    goals = segment(records, token_similarity)
    assert [(g.user_id, len(g.turns)) for g in goals] == [("alice", 2), ("bob", 1)]


def test_similarity_is_called_once_with_all_pairs() -> None:
    calls: list[list[tuple[str, str]]] = []

    def fake(pairs):
        calls.append(list(pairs))
        return [0.9 if "light" in b else 0.0 for _, b in pairs]

    records = numbered(
        turn(0, "kitchen light on", "turn_on", confidence=0.5),
        turn(5, "lights in the kitchen", "turn_on", confidence=0.5),
        turn(9, "weather", "ask_weather", confidence=0.5),
        turn(0, "hello", "greet", session="s2"),
        turn(3, "time", "ask_time", session="s2"),
    )
    goals = segment(records, fake)
    assert len(calls) == 1
    assert calls[0] == [("kitchen light on", "lights in the kitchen"), ("lights in the kitchen", "weather")]
    assert _texts(goals) == [["kitchen light on", "lights in the kitchen"], ["weather"], ["hello"], ["time"]]


def test_explicit_yes_closes_the_goal() -> None:
    first = turn(0, "turn on the kitchen light", "turn_on", feedback={"explicit": "yes"})
    second = turn(5, "turn on the kitchen light", "turn_on")
    assert not continues(first, second, 1.0, SegmentConfig())
    first.feedback = {}
    assert continues(first, second, 1.0, SegmentConfig())


def test_embedding_similarity_embeds_each_distinct_text_once() -> None:
    import numpy as np

    seen: list[list[str]] = []

    def encode(texts):
        seen.append(list(texts))
        return np.array([[1.0, 0.0] if "light" in t else [0.0, 1.0] for t in texts], dtype=np.float32)

    scores = embedding_similarity(encode)([("Light on!", "light on"), ("light on", "music"), ("music", "Music")])
    assert len(seen) == 1 and sorted(seen[0]) == ["light on", "music"]
    assert [round(s, 3) for s in scores] == [1.0, 0.0, 1.0]


def test_pairs_settled_by_flags_or_overlap_are_not_embedded() -> None:
    calls: list[list[tuple[str, str]]] = []

    def fake(pairs):
        calls.append(list(pairs))
        return [0.0] * len(pairs)

    records = numbered(
        turn(0, "play maj and dragons", "play_media", feedback={"rephrase": True}),
        turn(5, "put on imagine dragons", "play_media"),
        turn(9, "put on imagine dragons", "play_media"),
        turn(14, "what's the weather", "ask_weather", confidence=0.5),
    )
    goals = segment(records, fake)
    assert calls == [[("put on imagine dragons", "what's the weather")]]
    assert [len(g.turns) for g in goals] == [3, 1]


def test_a_statement_answers_a_question_but_is_a_request_otherwise() -> None:
    asked = numbered(
        turn(0, "how did my team do", "ask_team_score", reply="Which team do you follow?"),
        turn(8, "i'm a warriors fan", "state_preference"),
    )
    [goal] = segment(asked, token_similarity)
    assert goal.is_answer(asked[1]) and goal.last_request is asked[0]
    told = numbered(
        turn(0, "how did my team do", "ask_team_score", reply="The Warriors won 110-98."),
        turn(8, "i'm a warriors fan", "state_preference"),
    )
    goals = segment(told, token_similarity)
    assert len(goals) == 2 and not goals[1].is_answer(told[1])


def test_after_a_visible_failure_a_retry_with_other_words_continues_the_goal() -> None:
    failed = numbered(
        turn(0, "turn on the lice", "turn_on", entities={"device": "lice"}, problems=["NO_TARGET"],
             reply="Which device do you mean?"),
        turn(15, "switch on the kitchen lights", "turn_on", entities={"device": "lights"}),
    )
    assert len(segment(failed, token_similarity)) == 1
    worked = numbered(
        turn(0, "turn on the lamp", "turn_on", entities={"device": "lamp"}, reply="Turning on the lamp."),
        turn(15, "switch on the kitchen lights", "turn_on", entities={"device": "lights"}),
    )
    assert len(segment(worked, token_similarity)) == 2


def test_a_request_after_that_is_wrong_continues_the_goal() -> None:
    records = numbered(
        turn(0, "play little women", "play_media", reply="Playing Little Women (film)."),
        turn(6, "that's not what i asked", "complain"),
        turn(12, "the audiobook of little women", "play_media", confidence=0.95),
    )
    [goal] = segment(records, lambda pairs: [0.2] * len(pairs))
    assert goal.last_request is records[2]
