"""Concept phrases: teaching, naming, forgetting and expansion."""

from __future__ import annotations

import pytest

from assistant.habits import concepts as cx
from assistant.habits.store import HabitStore


@pytest.mark.parametrize("text, name, steps", [
    ("when I say movie time, dim the living room lights and turn on the TV", "movie time",
     ("dim the living room lights", "turn on the TV")),
    ("when i say movie time dim the living room lights and turn on the tv", "movie time",
     ("dim the living room lights", "turn on the tv")),
    ('When I say "bedtime", turn off the lights, lock the door and then set an alarm for 7 am', "bedtime",
     ("turn off the lights", "lock the door", "set an alarm for 7 am")),
    ("when I say rock night, play rock and roll and dim the lights", "rock night",
     ("play rock and roll", "dim the lights")),
])
def test_teaching_is_read_as_name_and_steps(text: str, name: str, steps: tuple[str, ...]) -> None:
    assert cx.parse_teaching(text) == cx.Teaching(name, steps)


def test_a_correction_is_not_a_teaching() -> None:
    assert cx.parse_teaching("when I say the big light I mean the living room light") is None
    assert cx.parse_teaching("turn on the lights") is None


@pytest.mark.parametrize("teaching, known, problem", [
    (cx.Teaching("turn on the lights", ("lock the door",)), {}, cx.Problem.NAME_IS_COMMAND),
    (cx.Teaching("yes", ("lock the door",)), {}, cx.Problem.NAME_IS_COMMAND),
    (cx.Teaching("party", ()), {}, cx.Problem.NO_STEPS),
    (cx.Teaching("party", ("turn on the tv",) * 50), {}, cx.Problem.TOO_MANY_STEPS),
    (cx.Teaching("party", ("turn on the tv", "party")), {}, cx.Problem.SELF_REFERENCE),
    (cx.Teaching("party", ("disco",)), {"disco": ["party"]}, cx.Problem.LOOP),
    (cx.Teaching("party", ("disco",)), {"disco": ["turn on the tv"]}, None),
])
def test_bad_teachings_are_named(teaching, known, problem) -> None:
    assert cx.check_shape(teaching, known) is problem


def test_nested_concepts_expand_in_place() -> None:
    known = {"disco": ["turn on the tv", "play some pop"], "party": ["disco", "dim the lights"]}
    assert cx.expand("party", known) == ["turn on the tv", "play some pop", "dim the lights"]
    with pytest.raises(cx.LoopError):
        cx.expand("a", {"a": ["b"], "b": ["a"]})


@pytest.mark.parametrize("text, found", [
    ("movie time", "movie time"), ("Movie time!", "movie time"), ("it's movie time please", "movie time"),
    ("movie", None), ("what time is it", None),
])
def test_a_concept_is_named(text: str, found: str | None) -> None:
    assert cx.named(text, ["movie time"]) == found


def test_questions_forgets_and_answers() -> None:
    assert cx.parse_question("What does movie time mean?") == "movie time"
    assert cx.parse_forget("forget movie time") == "movie time"
    assert cx.parse_forget("forget what movie time means") == "movie time"
    assert cx.is_yes("yes please") and cx.is_no("no thanks") and not cx.is_no("yes") and not cx.is_yes("nope")


def test_concepts_are_stored_per_user(tmp_path) -> None:
    with HabitStore.open(tmp_path / "prefs.db") as store:
        store.save_concept("ann", "movie time", ["dim the lights", "turn on the tv"])
        store.save_concept("ann", "movie time", ["turn on the tv"])
        assert [(c.name, c.steps) for c in store.concepts("ann")] == [("movie time", ("turn on the tv",))]
        assert store.concepts("bob") == []
        with pytest.raises(ValueError):
            store.save_concept("ann", "", ["x"])
        assert store.forget_concept("ann", "movie time") == 1 and store.concepts("ann") == []


@pytest.mark.parametrize("text, expected", [
    ("party mode", True), ("bedtime", True), ("it", False), ("that", False), ("asdfgh qwerty", False),
    ("turn on the lights", False), ("kitchen", False), ("movie night in the den", False), ("yes", False),
])
def test_only_a_short_plain_phrase_is_offered_for_teaching(text: str, expected: bool) -> None:
    from assistant.habits.recognise import looks_like_name

    assert looks_like_name(text) is expected
