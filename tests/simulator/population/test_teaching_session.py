"""A simulated user answers an offer to learn: "Did you mean X?" gets a yes when X is meant and
the value again when not, the question asked again gets the value again, and the capture is
judged once that is settled. The turns' teachable-moment truth marks where teaching helps."""

from __future__ import annotations

import random

import pytest

from assistant.turn import TurnRequest, TurnResult
from simulator.population.asr import AsrChannel, AsrConfig
from simulator.population.goals import GoalKind, build_goal
from simulator.population.reactions import ReactionConfig
from simulator.population.session import GoalSession
from simulator.population.truth import TurnKind
from simulator.population.users import generate_population
from tests.simulator.population.fakes import FakeRuntime

QUESTION = "What kind of music do you like? I'll remember it."


class TeachingRuntime(FakeRuntime):
    """Plays a guess and asks for the genre; the first answer is "misheard" and followed up with
    ``follow_up`` (a "Did you mean {}?" suggestion or the question again)."""

    def __init__(self, follow_up: str, resume: bool = False) -> None:
        super().__init__()
        self.follow_up = follow_up
        self.resume = resume
        self.heard: list[str] = []
        self.asked = False

    def handle(self, request: TurnRequest, /) -> TurnResult:
        text, user = request.text.lower(), request.user_id
        self.heard.append(text)
        if user in self.pending:
            result = TurnResult(text=text, intent="inform", actions=["action_take_teaching"])
            wanted = self.pending[user]
            if not self.asked:
                self.asked = True
                result.replies = [self.follow_up]
            elif text == "yes" or wanted in text:
                self.prefs[(user, "music_genre")] = wanted
                del self.pending[user]
                result.replies = [f"Thanks, I'll remember that you like {wanted}."]
                if self.resume:   # the request that needed it, answered at once
                    directive = f"play {request.device_id} {wanted}|music"
                    result.replies.append(f"Playing {wanted}.")
                    if self.home.apply(directive).ok:
                        result.applied.append(directive)
            result.turn_id = self.log.add(user, text)
            return result
        if "music" not in text and "play" not in text:
            return super().handle(request)
        liked = self.prefs.get((user, "music_genre"))
        result = TurnResult(text=text, intent="play_media", actions=["action_play_media"],
                            replies=[f"Playing {liked or 'pop'}."])
        result.directives = [f"play {request.device_id} {liked or 'pop'}|music"]
        if liked is None:
            result.actions.append("action_offer_teaching")
            result.replies.append(QUESTION)
            self.pending[user] = self.genre
        for directive in result.directives:
            if self.home.apply(directive).ok:
                result.applied.append(directive)
        result.turn_id = self.log.add(user, text)
        return result


@pytest.fixture(scope="module")
def user():
    return generate_population(3, seed=21)[0]


def music_session(runtime, user, config: ReactionConfig, *, teachable: bool = True) -> GoalSession:
    """The user's play-music goal on ``runtime``, heard word for word (in an arm that teaches)."""
    if teachable:
        runtime.learning = type("Flags", (), {"teachable": True})()
    goal = build_goal(GoalKind.PLAY_MUSIC, user, "g1", "20:00", random.Random(2))
    quiet = AsrChannel(AsrConfig(global_confusion=0, personal_confusion=0, drop_word=0, insert_word=0,
                                 false_wake=0))
    return GoalSession(runtime, user, goal, day=0, seed=3, asr=quiet, config=config, lookup=runtime.preference)


def play(user, follow_up: str, resume: bool = False) -> tuple[TeachingRuntime, object]:
    runtime = TeachingRuntime(follow_up, resume)
    runtime.genre = user.prefs.music_genre.lower()
    config = ReactionConfig(accept_teaching=1.0, give_up=0.0, complain=0.0, barge_in=0.0, rephrase=0.0)
    return runtime, music_session(runtime, user, config).play()


def test_yes_to_the_suggestion_of_what_was_meant_and_the_capture_counts_on_the_answer(user) -> None:
    genre = user.prefs.music_genre.lower()
    runtime, trace = play(user, f"I don't know the music genre 'xyz'. Did you mean {genre}?")
    request, answer, confirm = trace.turns[:3]
    assert request.kind is TurnKind.REQUEST and not request.success and request.failure_point == "result"
    assert request.teachable and request.asked_to_learn
    assert answer.kind is confirm.kind is TurnKind.ANSWER and runtime.heard[2] == "yes"
    assert answer.preference_correct is True and confirm.preference_correct is None
    # the repeat that then worked is about the failure: it closes the moment, a moment turn itself
    assert trace.achieved and trace.turns[-1].success and trace.turns[-1].teachable and trace.turns[-1].moment_closing


def test_a_wrong_suggestion_gets_the_value_again(user) -> None:
    genre = user.prefs.music_genre.lower()
    other = "polka" if genre != "polka" else "opera"
    runtime, trace = play(user, f"I don't know the music genre 'xyz'. Did you mean {other}?")
    assert runtime.heard[2] == genre and trace.turns[1].preference_correct is True


def test_the_question_asked_again_gets_the_value_again(user) -> None:
    runtime, trace = play(user, "I don't know the music genre 'xyz'. What kind of music do you like?")
    assert runtime.heard[2] == user.prefs.music_genre.lower() and trace.turns[1].preference_correct is True


def test_no_follow_up_leaves_the_capture_failed(user) -> None:
    _, trace = play(user, "Okay.")
    assert trace.turns[1].kind is TurnKind.ANSWER and trace.turns[1].preference_correct is False


def test_a_request_answered_at_once_by_what_was_taught_ends_the_goal(user) -> None:
    genre = user.prefs.music_genre.lower()
    runtime, trace = play(user, f"I don't know the music genre 'xyz'. Did you mean {genre}?", resume=True)
    assert [t.kind for t in trace.turns] == [TurnKind.REQUEST, TurnKind.ANSWER, TurnKind.ANSWER]
    assert trace.achieved and not trace.gave_up and len(runtime.heard) == 3 and runtime.heard[-1] == "yes"


def play_on(runtime: FakeRuntime, request: TurnRequest, played: str, result: TurnResult) -> None:
    """The genre plays on the speaking device (the directive applied, as the pipeline does)."""
    directive = f"play {request.device_id} {played}|music"
    if runtime.home.apply(directive).ok:
        result.applied.append(directive)


class ConfirmingRuntime(FakeRuntime):
    """Guesses pop for "play some music" and asks nothing; a genre named next is played and asked
    about ("Is jazz the kind of music you like? I'll remember it."); yes stores it."""

    def __init__(self) -> None:
        super().__init__()
        self.heard: list[str] = []

    def handle(self, request: TurnRequest, /) -> TurnResult:
        text, user = request.text.lower(), request.user_id
        self.heard.append(text)
        if user in self.pending:
            offered = self.pending.pop(user)
            if text == "yes":
                self.prefs[(user, "music_genre")] = offered
            result = TurnResult(text=text, intent="affirm" if text == "yes" else "deny",
                                actions=["action_take_teaching"], replies=["Okay."])
            result.turn_id = self.log.add(user, text)
            return result
        from assistant.catalog import load_catalog

        genre = next((g for g in load_catalog().genres if f"play some {g}" in text), "")
        played = genre or self.prefs.get((user, "music_genre")) or "pop"
        result = TurnResult(text=text, intent="play_media", actions=["action_play_media"],
                            replies=[f"Playing some {played}."])
        if genre:
            result.actions.append("action_offer_teaching")
            result.replies.append(f"Is {genre} the kind of music you like? I'll remember it.")
            self.pending[user] = genre
        play_on(self, request, played, result)
        result.turn_id = self.log.add(user, text)
        return result


def test_a_value_named_after_a_guess_and_asked_about_is_confirmed_truthfully(user) -> None:
    runtime = ConfirmingRuntime()
    # the guess fails; the user rephrases with the genre they like, which plays and is asked about
    config = ReactionConfig(accept_teaching=1.0, give_up=0.0, complain=0.0, barge_in=0.0, repeat=0.0, rephrase=1.0)
    trace = music_session(runtime, user, config).play()
    guess, named, confirm = trace.turns[:3]
    genre = user.prefs.music_genre.lower()
    assert runtime.heard[1:3] == [f"play some {genre}", "yes"]
    assert guess.teachable and not guess.success and not guess.asked_to_learn
    assert named.success and named.teachable and named.moment_closing and named.asked_to_learn
    assert confirm.kind is TurnKind.ANSWER and confirm.preference_correct is True
    assert runtime.prefs[(user.user_id, "music_genre")] == genre


def test_a_value_asked_about_that_is_not_the_users_gets_a_no(user) -> None:
    runtime = ConfirmingRuntime()
    other = "polka" if user.prefs.music_genre.lower() != "polka" else "opera"
    session = music_session(runtime, user, ReactionConfig(accept_teaching=1.0), teachable=False)
    result = TurnResult(text=f"play some {other}", intent="play_media",
                        actions=["action_play_media", "action_offer_teaching"],
                        replies=[f"Playing some {other}.", f"Is {other} the kind of music you like? I'll remember it."])
    runtime.pending[user.user_id] = other
    session._follow_up(result, None)
    assert runtime.heard == ["no"] and (user.user_id, "music_genre") not in runtime.prefs
    assert session.trace.turns[-1].preference_correct is True


class CheckingRuntime(ConfirmingRuntime):
    """Guesses pop for "play some music" and asks "Did I answer your question?"; a "no" gets an
    offer to learn the genre, and the answer is stored (what it heard kept as the other's)."""

    def handle(self, request: TurnRequest, /) -> TurnResult:
        text, user = request.text.lower(), request.user_id
        self.heard.append(text)
        if user in self.pending:
            del self.pending[user]
            self.prefs[(user, "music_genre")] = text.split()[-1]
            result = TurnResult(text=text, intent="inform", actions=["action_take_teaching"],
                                replies=[f"Thanks, I'll remember that you like {text.split()[-1]}."])
        elif text == "no":
            self.pending[user] = "music_genre"
            result = TurnResult(text=text, intent="deny", actions=["action_yes_no", "action_offer_teaching"],
                                replies=[f"Sorry about that. {QUESTION}"])
        else:
            played = self.prefs.get((user, "music_genre")) or "pop"
            result = TurnResult(text=text, intent="play_media", actions=["action_play_media", "action_check_answer"],
                                replies=[f"Playing some {played}.", "Did I answer your question?"])
            play_on(self, request, played, result)
        result.turn_id = self.log.add(user, text)
        return result


def test_an_offer_after_a_no_to_the_check_is_answered_as_after_a_complaint(user) -> None:
    runtime = CheckingRuntime()
    genre = user.prefs.music_genre.lower()
    config = ReactionConfig(accept_teaching=1.0, give_up=0.0, complain=0.0, barge_in=0.0, rephrase=0.0,
                            answer_with_statement=0.0)
    trace = music_session(runtime, user, config).play()
    assert genre != "pop"
    assert runtime.heard[1] == "no" and genre in runtime.heard[2]
    assert [t.kind for t in trace.turns[:3]] == [TurnKind.REQUEST, TurnKind.CONFIRM, TurnKind.ANSWER]
    assert trace.turns[2].preference_correct is True
    assert runtime.prefs[(user.user_id, "music_genre")] == genre
