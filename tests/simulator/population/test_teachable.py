"""The truth of teachable moments and the scores of offers against it."""

from __future__ import annotations

import pytest

from assistant.outcomes import FailurePoint
from simulator.population.goals import GoalKind
from simulator.population.session import GoalTrace, TurnTrace
from simulator.population.teachable import MomentTruth, lacks_preference, moment_scores
from simulator.population.truth import TurnKind, Verdict

RESULT = Verdict(False, FailurePoint.RESULT)
ASR = Verdict(False, FailurePoint.ASR)
OK = Verdict(True)


def test_a_moment_opens_on_a_result_failure_for_want_of_a_preference_and_covers_the_reactions() -> None:
    truth = MomentTruth()
    lacking = lambda: True  # noqa: E731
    assert truth.mark(TurnKind.REQUEST, RESULT, lacking)          # "play some music": pop played
    assert truth.mark(TurnKind.COMPLAINT, OK, lacking)             # "no, that's wrong", understood
    assert truth.mark(TurnKind.CONFIRM, Verdict(False, FailurePoint.NLU), lacking)   # a "no" misunderstood
    assert truth.mark(TurnKind.ANSWER, Verdict(False, FailurePoint.RESULT), lacking) is False
    assert truth.mark(TurnKind.REQUEST, ASR, lacking)              # the user's repeat about it, misheard
    assert not truth.closing
    assert truth.mark(TurnKind.REQUEST, OK, lacking)               # the repeat that worked: still about it ...
    assert truth.closing                                           # ... and it closes the moment
    assert truth.mark(TurnKind.REQUEST, ASR, lacking) is False
    assert not truth.closing


def test_the_closing_repeat_is_a_moment_turn_only_when_a_moment_is_open() -> None:
    truth = MomentTruth()
    lacking = lambda: True  # noqa: E731
    assert truth.mark(TurnKind.REQUEST, OK, lacking) is False      # a guess that happened to be right
    assert not truth.closing
    assert truth.mark(TurnKind.REQUEST, RESULT, lacking)           # "what's the weather": Seattle, wrong
    assert truth.mark(TurnKind.REQUEST, OK, lacking) and truth.closing   # "what's the weather in miami"
    assert truth.mark(TurnKind.REQUEST, OK, lacking) is False and not truth.closing   # a later request


def test_no_moment_when_a_preference_would_not_have_helped() -> None:
    truth = MomentTruth()
    assert truth.mark(TurnKind.REQUEST, RESULT, lambda: False) is False   # the store had the right value
    assert truth.mark(TurnKind.REQUEST, ASR, lambda: True) is False       # misheard: the channel's fault
    assert truth.mark(TurnKind.COMPLAINT, Verdict(False, FailurePoint.NLU), lambda: True) is False


class _User:
    user_id = "u1"

    class prefs:  # noqa: N801 - a stand-in for the user's hidden preferences
        music_genre, music_artist, sports_team, home_city = "jazz", "Adele", "Golden State Warriors", "Boston, Massachusetts"

        @staticmethod
        def value(key: str) -> str:
            return {"cuisine": "thai", "temperature_unit": "celsius"}.get(key, "")


class _Goal:
    def __init__(self, *keys: str) -> None:
        self.pref_keys = keys


@pytest.mark.parametrize(("keys", "stored", "lacking"), [
    (("music_genre", "music_artist"), {}, True),
    (("music_genre", "music_artist"), {"music_genre": "rock"}, True),
    (("music_genre", "music_artist"), {"music_artist": "adele"}, False),   # either one plays what they like
    (("home_city", "temperature_unit"), {"temperature_unit": "celsius"}, True),   # the unit never decides
    (("home_city", "temperature_unit"), {"home_city": "Boston, Massachusetts"}, False),
    ((), {}, False),
])
def test_lacks_preference_reads_the_store_against_the_hidden_truth(keys, stored, lacking) -> None:
    assert lacks_preference(_Goal(*keys), _User(), lambda user, key: stored.get(key)) is lacking  # type: ignore[arg-type]


def _turn(teachable: bool, asked: bool, closing: bool = False) -> TurnTrace:
    return TurnTrace(day=0, user_id="u1", goal_id="g", kind=TurnKind.REQUEST, success=not teachable or closing,
                     failure_point=None, offered=asked, rewrite_source=None, preference_correct=None,
                     teachable=teachable, asked_to_learn=asked, moment_closing=closing)


def test_offers_are_scored_per_offer_and_moments_per_goal() -> None:
    goals = [
        GoalTrace("a", GoalKind.PLAY_MUSIC, turns=[_turn(True, False), _turn(True, True)]),   # offered late: a hit
        GoalTrace("b", GoalKind.TEAM_MINE, turns=[_turn(True, False), _turn(True, False)]),   # missed
        GoalTrace("c", GoalKind.LIGHT_ON, turns=[_turn(False, True)]),                        # an offer at no moment
        GoalTrace("d", GoalKind.WEATHER_HOME, turns=[_turn(True, True), _turn(True, True)]),  # asked twice
    ]
    scores = moment_scores(goals)
    assert (scores.offers, scores.offers_at_moments, scores.moments, scores.moments_offered) == (4, 3, 3, 2)
    assert (scores.precision, scores.recall) == (0.75, 0.6667)
    assert (moment_scores([]).precision, moment_scores([]).recall) == (None, None)


def test_the_strict_measure_leaves_out_the_closing_repeat() -> None:
    goals = [
        # "what's the weather" (Seattle, wrong), "... in miami": answered, and asked "Is Miami your home city?"
        GoalTrace("a", GoalKind.WEATHER_HOME, turns=[_turn(True, False), _turn(True, True, closing=True)]),
        GoalTrace("b", GoalKind.PLAY_MUSIC, turns=[_turn(True, True)]),
    ]
    new, strict = moment_scores(goals), moment_scores(goals, strict=True)
    assert (new.offers, new.offers_at_moments, new.moments, new.moments_offered) == (2, 2, 2, 2)
    assert (strict.offers, strict.offers_at_moments, strict.moments, strict.moments_offered) == (2, 1, 2, 1)
