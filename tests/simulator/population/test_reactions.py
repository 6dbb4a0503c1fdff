"""Reactions: defects bring repeats, rephrasings, complaints, barge-ins or give-ups at their
weights; offers are accepted at their rate and answered truthfully."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace

from simulator.population.reactions import (
    Reaction,
    ReactionConfig,
    answer,
    asked_key,
    is_offer,
    on_defect,
    on_offer,
    suggested,
)
from simulator.population.users import generate_population


def _user(patience: float = 1.0):
    return replace(generate_population(1, seed=5)[0], patience=patience)


def test_defect_reactions_follow_their_weights() -> None:
    config = ReactionConfig(repeat=0.4, rephrase=0.3, complain=0.1, barge_in=0.1, give_up=0.1)
    rng = random.Random(1)
    counts = Counter(on_defect(1, _user(patience=1.0), config, rng) for _ in range(5000))
    assert abs(counts[Reaction.REPEAT] / 5000 - 0.4) < 0.03
    assert abs(counts[Reaction.REPHRASE] / 5000 - 0.3) < 0.03
    assert abs(counts[Reaction.GIVE_UP] / 5000 - 0.1) < 0.02


def test_impatient_users_give_up_sooner_and_everyone_gives_up_at_the_limit() -> None:
    config = ReactionConfig(max_attempts=4)
    rng = random.Random(2)
    patient = Counter(on_defect(3, _user(0.95), config, rng) for _ in range(3000))[Reaction.GIVE_UP]
    impatient = Counter(on_defect(3, _user(0.3), config, rng) for _ in range(3000))[Reaction.GIVE_UP]
    assert impatient > patient * 1.5
    assert on_defect(4, _user(1.0), config, rng) is Reaction.GIVE_UP


def test_offers_are_accepted_at_their_rate() -> None:
    rng = random.Random(3)
    accepted = sum(on_offer(ReactionConfig(accept_teaching=0.7), rng) is Reaction.ACCEPT_TEACHING
                   for _ in range(4000))
    assert abs(accepted / 4000 - 0.7) < 0.03


def test_answers_are_truthful() -> None:
    user = _user()
    rng = random.Random(4)
    for key in ("music_genre", "sports_team", "cuisine", "home_city", "temperature_unit", "music_artist"):
        said, value = answer(user, key, ReactionConfig(), rng)
        assert value == (user.prefs.value(key))
        assert value is not None
    team_said, _ = answer(user, "sports_team", ReactionConfig(answer_with_statement=0.0), rng)
    assert team_said in user.prefs.sports_team.lower()  # the short name, "warriors"
    routine, _ = answer(user, "morning_routine", ReactionConfig(), rng)
    assert routine == ("coffee after the alarm" if user.habits.coffee_after_alarm else "none")


def test_the_question_names_the_key() -> None:
    assert asked_key("Sorry about that. What kind of music do you like? I'll remember it.") == "music_genre"
    assert asked_key("Got it: you like Italian food. Do you prefer Celsius or Fahrenheit?") == "temperature_unit"
    assert asked_key("Which city do you live in? I'll use it for the weather.") == "home_city"
    assert asked_key("Who's an artist you like to listen to?") == "music_artist"
    assert asked_key("Playing some jazz.") is None


def test_an_offer_needs_the_offer_action_and_its_question() -> None:
    reply = "Sorry about that. Which team do you follow? I'll remember it."
    assert is_offer(reply, ["action_offer_teaching"])
    assert not is_offer(reply, ["action_team_score"])
    assert not is_offer("Sorry about that. Could you say it another way?", ["action_offer_teaching"])


def test_the_suggested_value_is_read_from_the_question() -> None:
    assert suggested("I don't know the team 'pay trio ts'. Did you mean the New England Patriots?") == \
        "New England Patriots"
    assert suggested("I don't know the music genre 'foke'. Did you mean folk?") == "folk"
    assert suggested("Which team do you follow?") is None


def test_a_statement_answer_uses_a_real_sentence_when_there_is_one() -> None:
    user = _user()
    config = replace(ReactionConfig(), answer_with_statement=1.0)
    said, value = answer(user, "music_genre", config, random.Random(1), lambda key, spoken: f"real {key} {spoken}")
    assert (said, value) == (f"real music_genre {user.prefs.music_genre.lower()}", user.prefs.music_genre)
    said, _ = answer(user, "music_genre", config, random.Random(1), lambda key, spoken: None)
    assert user.prefs.music_genre.lower() in said   # no real sentence fits: the template
