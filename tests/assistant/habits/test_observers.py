"""The observers that run after a turn, each alone with fake services, and the pipeline's order:
REPLY-stage observers change what is logged, LOGGED-stage ones see the logged row."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from assistant.habits import hook, pending
from assistant.habits.observers import (
    ImplicitInference,
    ObservedTurn,
    RejectedInference,
    RememberForgetting,
    RememberImplicit,
    Stage,
    TeachingOffer,
    is_evidence,
    run_observers,
)
from assistant.habits.recognise import teaching_question
from assistant.habits.store import HabitStore, MarkKind
from assistant.learning.config import LearningFlags
from assistant.outcomes import Problem
from assistant.prefs.keys import Polarity, PrefKey, Source
from assistant.prefs.store import PreferenceStore
from assistant.turn import ActionReport, RestedOn, TurnRequest, TurnResult

WHEN = dt.datetime(2026, 3, 2, 7, 0)


@dataclass
class Services:
    """What the observers read of the runtime."""

    preferences: PreferenceStore
    habits: HabitStore
    learning: LearningFlags = field(default_factory=LearningFlags)
    data: Any = None   # .prefs_url: hook.habit_store(services) opens the habits tables there
    log: Any = None
    inferred: list[str] = field(default_factory=list)

    def sender_id(self, user_id: str) -> str:
        return f"{user_id}~1"


@pytest.fixture
def services(tmp_path: Path) -> Services:
    from types import SimpleNamespace

    url = f"sqlite:///{tmp_path / 'prefs.db'}"
    return Services(preferences=PreferenceStore.open(tmp_path / "prefs.db"), habits=HabitStore.open(url),
                    data=SimpleNamespace(prefs_url=url))


def fallback(text: str, **slots: Any) -> TurnResult:
    return TurnResult(text=text, replies=["Sorry, I didn't get that."], intent="nlu_fallback",
                      actions=["action_default_fallback"], slots=slots)


def observed(result: TurnResult, **extra: Any) -> ObservedTurn:
    return ObservedTurn(result=result, user_id="ann", device_id="kitchen_speaker", when=WHEN, **extra)


@pytest.mark.parametrize("result, offered", [
    (fallback("party mode"), True),
    (fallback("asdfgh qwerty"), False),                         # not a name
    (fallback("party mode", pending_question="offer:music_genre"), False),   # an answer to another question
    (TurnResult(text="party mode", replies=["Okay."], intent="turn_on", actions=["action_device_control"]), False),
])
def test_the_teaching_offer_replaces_only_a_fallback_on_a_name(services: Services, result: TurnResult,
                                                               offered: bool) -> None:
    before = list(result.replies)
    turn = observed(result)
    TeachingOffer().observe(services, turn)
    if offered:
        assert result.replies == [teaching_question("party mode")]
        assert result.amended_by == ["TeachingOffer"]
        # The open question is for the tracker (the pipeline sets these slots after the turn).
        assert turn.slots == {pending.PENDING: "steps", pending.PENDING_NAME: "party mode",
                              pending.PENDING_STEPS: None, pending.PENDING_AT: pending.epoch(WHEN)}
    else:
        assert result.replies == before and result.amended_by == [] and turn.slots == {}


def test_the_teaching_offer_is_off_without_teachable_moments(services: Services) -> None:
    services.learning = LearningFlags(teachable=False)
    result = fallback("party mode")
    TeachingOffer().observe(services, observed(result))
    assert result.replies == ["Sorry, I didn't get that."]


@pytest.mark.parametrize("result, expected", [
    (TurnResult(text="play jazz", applied=["play kitchen_speaker jazz|music"]), True),
    (TurnResult(text="weather in paris", actions=["action_weather"]), True),
    (TurnResult(text="weather in atlantis", actions=["action_weather"], report=ActionReport(problems=[Problem.UNKNOWN_CITY])), False),
    # The words of a forecast in a reply are not evidence: only what the actions did is.
    (TurnResult(text="hello", replies=["In Paris today: sunny."], actions=["utter_greet"]), False),
    # A team or a cuisine the request named may resolve one it lacked; one filled in for the user can't.
    (TurnResult(text="how did the bulls do", actions=["action_team_score"],
                report=ActionReport(answered={"team": "Chicago Bulls"})), True),
    (TurnResult(text="how did my team do", actions=["action_team_score"],
                report=ActionReport(answered={"team": "Chicago Bulls"},
                                    rested_on=RestedOn("sports_team", True))), False),
    (TurnResult(text="find a restaurant", actions=["action_find_restaurant"],
                report=ActionReport(answered={"cuisine": "thai"}, rested_on=RestedOn("cuisine", False, "thai"))),
     False),
])
def test_evidence_is_read_from_typed_fields(result: TurnResult, expected: bool) -> None:
    assert is_evidence(result) is expected


def test_inference_runs_only_after_evidence(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, dt.datetime]] = []
    monkeypatch.setattr(hook, "infer_now", lambda rt, user, when: calls.append((user, when)))
    services.log = object()
    ImplicitInference().observe(services, observed(TurnResult(text="hi", actions=["utter_greet"])))
    assert calls == []
    ImplicitInference().observe(services, observed(TurnResult(text="play", applied=["play x jazz|music"])))
    assert calls == [("ann", WHEN)]


def test_a_no_after_an_inferred_value_lowers_it(services: Services) -> None:
    prefs = services.preferences
    prefs.set("ann", PrefKey.MUSIC_GENRE, "Jazz", Polarity.LIKE, Source.IMPLICIT, confidence=0.6)
    played = TurnResult(text="play some music", replies=["Playing some jazz, which you often listen to."],
                        report=ActionReport(implicit_used=["Jazz"]))
    turn = observed(played)
    RememberImplicit().observe(services, turn)
    assert turn.slots == {pending.LAST_IMPLICIT: ["music_genre", "Jazz"]}
    answer = observed(TurnResult(text="no that's wrong", intent="deny", slots=dict(turn.slots)))
    RejectedInference().observe(services, answer)
    assert answer.slots == {pending.LAST_IMPLICIT: None}   # only the next turn may say no to it
    assert [m.key for m in services.habits.marks("ann", MarkKind.REJECTED)] == ["music_genre"]


def test_a_reply_naming_an_inferred_value_without_the_tag_is_not_remembered(services: Services) -> None:
    services.preferences.set("ann", PrefKey.MUSIC_GENRE, "Jazz", Polarity.LIKE, Source.IMPLICIT, confidence=0.6)
    turn = observed(TurnResult(text="x", replies=["Playing jazz, which you often listen to."]))
    RememberImplicit().observe(services, turn)
    assert turn.slots == {}


@pytest.mark.parametrize("forgot, marked", [(["music_genre"], ["music_genre"]), (["*"], []), ([], [])])
def test_forgetting_is_marked(services: Services, forgot: list[str], marked: list[str]) -> None:
    RememberForgetting().observe(services, observed(TurnResult(text="forget", report=ActionReport(forgot=forgot))))
    assert [m.key for m in services.habits.marks("ann", MarkKind.FORGOT)] == marked


class Recorder:
    def __init__(self, stage: Stage, seen: list[str], fail: bool = False) -> None:
        self.stage, self.seen, self.fail = stage, seen, fail

    def observe(self, services: Any, turn: ObservedTurn) -> None:
        self.seen.append(f"{self.stage.value}:{turn.record is not None}")
        if self.fail:
            raise RuntimeError("boom")
        if self.stage is Stage.REPLY:
            turn.result.replies.append("Also this.")


def test_the_pipeline_logs_what_the_reply_observers_made_of_the_reply(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from assistant.learning.log import InteractionLog
    from assistant.pipeline import TurnPipeline

    stack = SimpleNamespace(log=InteractionLog.open(tmp_path / "learning.db"), rewrites=None, log_errors=[],
                            sender_id=lambda user_id: user_id)
    seen: list[str] = []
    observers = [Recorder(Stage.LOGGED, seen), Recorder(Stage.REPLY, seen, fail=True), Recorder(Stage.REPLY, seen)]
    pipeline = TurnPipeline(stack, observers)
    result = TurnResult(text="party mode", replies=["Sorry?"])
    pipeline.finish_turn(result, TurnRequest("party mode", user_id="ann", device_id="kitchen_speaker"),
                         context={}, timestamp=WHEN)
    assert seen == ["reply:False", "reply:False", "logged:True"]   # a failing observer is skipped
    assert result.reply == "Sorry? Also this."
    assert stack.log.get(result.turn_id).reply == "Sorry? Also this."
    assert pipeline.last["ann"].id == result.turn_id
    run_observers([], Stage.REPLY, stack, observed(result))   # nothing to run is fine
