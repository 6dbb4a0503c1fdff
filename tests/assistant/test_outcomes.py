"""The shared taxonomy: decoding is tolerant, the values are the strings logs already hold."""

from __future__ import annotations

import json

import pytest

from assistant.analytics.turns import FAILURE_POINTS as ANALYTICS_POINTS
from assistant.home.directives import Refusal
from assistant.outcomes import (
    ENTITY_PROBLEMS,
    FAILURE_POINTS,
    FailurePoint,
    Problem,
    Refused,
    decode_failure_point,
    decode_problem,
    indicated_failure_point,
)
from assistant.services.media import MediaProblem
from assistant.services.resolution import Unresolved
from assistant.turn import TurnResult
from simulator.population.truth import FailurePoint as SimulatorFailurePoint


@pytest.mark.parametrize("code, expected", [
    ("NOT_FOUND", Problem.NOT_FOUND),
    ("no_such_device", Problem.NO_SUCH_DEVICE),      # Unresolved's value, lower case
    (" AMBIGUOUS ", Problem.AMBIGUOUS),
    (Problem.UNKNOWN_CITY, Problem.UNKNOWN_CITY),
    ("SOMETHING_NEW", Problem.OTHER),
    ("", Problem.OTHER),
    (None, Problem.OTHER),
    (42, Problem.OTHER),
])
def test_decode_problem_never_raises(code: object, expected: Problem) -> None:
    assert decode_problem(code) is expected


def test_every_service_reason_and_home_refusal_is_a_problem() -> None:
    assert {u.as_problem for u in Unresolved} == {Problem.NO_SUCH_DEVICE, Problem.AMBIGUOUS,
                                                  Problem.UNSUPPORTED, Problem.NO_TARGET}
    assert {m.as_problem for m in MediaProblem} == {Problem.NOT_FOUND, Problem.NEEDS_SCREEN, Problem.NO_SUCH_FORMAT}
    assert {decode_problem(r.name) for r in Refusal} <= set(Problem) - {Problem.OTHER}


def test_values_are_the_logged_strings() -> None:
    assert FAILURE_POINTS == ("false_wake", "asr", "nlu", "entity_resolution", "result", "correct")
    assert ANALYTICS_POINTS == FAILURE_POINTS
    assert SimulatorFailurePoint is FailurePoint
    assert FailurePoint.NLU == "nlu" and "nlu" in {FailurePoint.NLU}
    assert f"{FailurePoint.ENTITY_RESOLUTION}" == "entity_resolution" and str(Problem.AMBIGUOUS) == "AMBIGUOUS"
    assert json.dumps({FailurePoint.ASR: [Problem.NOT_FOUND]}) == '{"asr": ["NOT_FOUND"]}'
    assert decode_failure_point("result") is FailurePoint.RESULT and decode_failure_point("wrong") is None


@pytest.mark.parametrize("problem, point", [
    (Problem.AMBIGUOUS, FailurePoint.ENTITY_RESOLUTION),
    ("UNKNOWN_CITY", FailurePoint.ENTITY_RESOLUTION),
    (Problem.NEEDS_SCREEN, None),
    (Problem.DEVICE_OFF, None),
    ("nonsense", None),
])
def test_indicated_failure_point(problem: Problem | str, point: FailurePoint | None) -> None:
    assert indicated_failure_point(problem) is point
    assert (decode_problem(problem) in ENTITY_PROBLEMS) == (point is FailurePoint.ENTITY_RESOLUTION)


def test_turn_result_decodes_once_and_refused_still_unpacks() -> None:
    result = TurnResult(text="turn on the oven")
    assert result.add_problem("NO_TARGET") is Problem.NO_TARGET
    result.add_problem("FROM_A_NEWER_ACTION")
    record = result.add_refused("turn_on oven", "DEVICE_OFF", "the oven is off")
    assert result.problems == [Problem.NO_TARGET, Problem.OTHER]
    directive, reason, message = result.refused[0]
    assert (directive, reason, message) == ("turn_on oven", Problem.DEVICE_OFF, "the oven is off")
    assert record.reason is Problem.DEVICE_OFF and isinstance(record, Refused)
    assert [list(r) for r in result.refused] == [["turn_on oven", "DEVICE_OFF", "the oven is off"]]
