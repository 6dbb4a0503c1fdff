"""A simulated user answers "Should I A, or B?" from their goal: the option it wants (by place
or by its words), "neither" when none is (or by a seeded mistake); and the metrics count it."""

from __future__ import annotations

import dataclasses
import random

import pytest

from assistant.exploration import NEITHER
from assistant.exploration.options import resolve
from assistant.turn import ActionReport, TurnRequest, TurnResult
from simulator.population.asr import AsrChannel, AsrConfig
from simulator.population.exploring import explore_answer
from simulator.population.goals import GoalKind, build_goal
from simulator.population.metrics import exploration_figures
from simulator.population.reactions import ReactionConfig
from simulator.population.session import GoalSession
from simulator.population.truth import TurnKind
from simulator.population.users import generate_population
from tests.simulator.population.fakes import FakeRuntime


class ExploringRuntime(FakeRuntime):
    """Asks which of ``options`` was meant on the first request, then runs the answer's choice
    as the keyword assistant would run the original words said that way."""

    def __init__(self, options: list[str]) -> None:
        super().__init__()
        self.options = options
        self.asked: str | None = None
        self.heard: list[str] = []

    def handle(self, request: TurnRequest, /) -> TurnResult:
        text = request.text
        self.heard.append(text)
        if self.asked is None and len(self.heard) == 1:
            self.asked = text
            result = TurnResult(text=text, intent=self.options[0], replies=["Should I A, or B?"],
                                actions=["action_explore"], report=ActionReport(explore_asked=list(self.options)))
            result.turn_id = self.log.add(request.user_id, text)
            return result
        if self.asked is not None:
            original, self.asked = self.asked, None
            choice = resolve(text, tuple(self.options))
            if choice == NEITHER:
                result = TurnResult(text=text, intent="deny", replies=["Okay, neither."],
                                    report=ActionReport(explore_choice=NEITHER, explore_options=list(self.options)))
                result.turn_id = self.log.add(request.user_id, text)
                return result
            result = super().handle(dataclasses.replace(request, text=original))
            result.intent, result.explore_choice, result.explore_options = choice, choice, list(self.options)
            return result
        return super().handle(request)


@pytest.fixture(scope="module")
def user():
    return generate_population(3, seed=21)[0]


def play(options: list[str], user, *, mistake: float = 0.0, seed: int = 7) -> tuple[ExploringRuntime, object]:
    runtime = ExploringRuntime(options)
    goal = build_goal(GoalKind.LIGHT_ON, user, "g1", "20:00", random.Random(2))
    quiet = AsrChannel(AsrConfig(global_confusion=0, personal_confusion=0, drop_word=0, insert_word=0,
                                 false_wake=0))
    session = GoalSession(runtime, user, goal, day=0, seed=seed, asr=quiet, config=ReactionConfig(), lookup=None,
                          explore_mistake=mistake)
    return runtime, session.play()


def test_the_user_picks_the_reading_of_their_goal(user) -> None:
    runtime, trace = play(["open_device", "turn_on"], user)
    question, answer = trace.turns[0], trace.turns[1]
    assert question.explore_asked == ("open_device", "turn_on") and question.success
    assert answer.kind is TurnKind.ANSWER and answer.explore_choice == "turn_on" and answer.explore_right
    assert trace.achieved and len(trace.turns) == 2
    assert resolve(runtime.heard[1], ("open_device", "turn_on")) == "turn_on"


def test_neither_when_no_reading_is_the_goal_then_a_rephrase(user) -> None:
    runtime, trace = play(["open_device", "play_media"], user)
    question, answer = trace.turns[0], trace.turns[1]
    assert not question.success and question.failure_point == "nlu"   # asked about two wrong readings
    assert answer.explore_choice == NEITHER and answer.success and answer.explore_right is None
    assert trace.turns[2].kind is TurnKind.REQUEST and trace.achieved
    assert runtime.heard[1] in ("neither", "no, something else", "neither of those")


def test_neither_by_mistake_with_its_seeded_probability(user) -> None:
    _, trace = play(["open_device", "turn_on"], user, mistake=1.0)
    assert trace.turns[1].explore_choice == NEITHER
    firsts = {play(["open_device", "turn_on"], user, mistake=0.5, seed=s)[1].turns[1].explore_choice
              for s in range(12)}
    assert firsts == {NEITHER, "turn_on"}
    again = [play(["open_device", "turn_on"], user, mistake=0.5, seed=s)[1].turns[1].explore_choice for s in range(6)]
    assert again == [play(["open_device", "turn_on"], user, mistake=0.5, seed=s)[1].turns[1].explore_choice
                     for s in range(6)]


def test_an_answer_by_place_or_by_words_always_resolves_to_the_option() -> None:
    options = ["set_alarm", "set_timer"]
    for seed in range(20):
        for index in (0, 1):
            said = explore_answer(options, index, random.Random(seed))
            assert resolve(said, tuple(options)) == options[index], said


def test_the_metrics_count_questions_answers_neither_and_accuracy(user) -> None:
    traces = [play(["open_device", "turn_on"], user)[1], play(["open_device", "play_media"], user)[1],
              play(["turn_on", "open_device"], user, mistake=1.0)[1]]
    turns = [t for trace in traces for t in trace.turns]
    figures = exploration_figures(turns)
    assert figures["exploration_questions"] == 3
    assert figures["exploration_answers"] == 1 and figures["exploration_neither"] == 2
    assert figures["exploration_extra_turns"] == 3
    assert figures["exploration_label_accuracy"] == 1.0
    assert figures["exploration_per_100_turns"] == round(300 / len(turns), 2)
    assert exploration_figures([])["exploration_label_accuracy"] is None
