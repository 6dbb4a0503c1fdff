"""How a simulated user reacts to the assistant's answer.

On success the user moves on. On a defect they repeat, rephrase, complain ("no, that's
wrong"), barge in on the next try, or give up, with configured probabilities (patience
shifts weight to giving up as attempts pile up). They accept or decline an offer to learn, and
answer the offer or the guided Q&A truthfully from their hidden preferences.
"""

from __future__ import annotations

import enum
import random
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from simulator.population.users import SimUser


class Reaction(str, enum.Enum):
    """What the user did after a turn (the truth's ``reaction``)."""

    MOVE_ON = "move_on"
    REPEAT = "repeat"
    REPHRASE = "rephrase"
    COMPLAIN = "complain"
    BARGE_IN = "barge_in"
    GIVE_UP = "give_up"
    ACCEPT_TEACHING = "accept_teaching"
    DECLINE_TEACHING = "decline_teaching"


@dataclass(frozen=True)
class ReactionConfig:
    """Weights of the reactions to a defect, and the user's limits."""

    repeat: float = 0.35
    rephrase: float = 0.30
    complain: float = 0.15
    barge_in: float = 0.10
    give_up: float = 0.08
    max_attempts: int = 4          # requests per goal before the user gives up for sure
    accept_teaching: float = 0.75  # chance of answering an offer to learn
    answer_with_statement: float = 0.5  # "I like jazz" rather than just "jazz"


COMPLAINTS = ("no, that's wrong", "that's not what I asked", "no, that's not it", "wrong")
DECLINES = ("no thanks", "no")

# Words in the assistant's question -> the preference key it asks about (offers and Q&A).
QUESTION_KEYS: tuple[tuple[str, str], ...] = (
    (r"\bartist\b", "music_artist"),
    (r"\bmusic\b", "music_genre"),
    (r"\bteam\b", "sports_team"),
    (r"\bcuisine\b|\bfood\b", "cuisine"),
    (r"\bcity\b", "home_city"),
    (r"celsius or fahrenheit", "temperature_unit"),
    (r"\bnews\b", "news_source"),
    (r"\bcoffee when your alarm\b", "morning_routine"),
)

OFFER = re.compile(r"I'll remember it\.?$", re.IGNORECASE)
SUGGESTION = re.compile(r"Did you mean (?:the )?(.+?)\?", re.IGNORECASE)
# An offer that asks whether a value the user just named is theirs: "Is Miami, Florida your home city?
# I'll remember it.", "Is jazz the kind of music you like? ...", "Are the Chicago Bulls your team? ...".
CONFIRM_OFFER = re.compile(r"\b(?:Is|Are) (?:the )?(.+?) (?:your|the kind of)\b[^.?!]*\? I'll remember it\.?$",
                           re.IGNORECASE)
CHECK = re.compile(r"Did I answer your question\?", re.IGNORECASE)


def asked_key(reply: str) -> str | None:
    """The preference key the reply's last question asks about ("What kind of music do you
    like?"), or None when it asks nothing we know."""
    questions = re.findall(r"[^.?!]*\?", reply)
    if not questions:
        return None
    for pattern, key in QUESTION_KEYS:
        if re.search(pattern, questions[-1], re.IGNORECASE):
            return key
    return None


def is_offer(reply: str, actions: list[str]) -> bool:
    """The assistant offered to learn a preference and waits for the answer."""
    return "action_offer_teaching" in actions and bool(OFFER.search(reply.strip()))


def on_defect(attempts: int, user: "SimUser", config: ReactionConfig, rng: random.Random) -> Reaction:
    """The reaction to a failed request, after ``attempts`` requests for this goal."""
    if attempts >= config.max_attempts:
        return Reaction.GIVE_UP
    impatience = (1.0 - user.patience) * attempts
    weights = {
        Reaction.REPEAT: config.repeat,
        Reaction.REPHRASE: config.rephrase,
        Reaction.COMPLAIN: config.complain,
        Reaction.BARGE_IN: config.barge_in,
        Reaction.GIVE_UP: config.give_up * (1.0 + impatience),
    }
    names = list(weights)
    return rng.choices(names, [weights[n] for n in names])[0]


def on_offer(config: ReactionConfig, rng: random.Random) -> Reaction:
    """Accept or decline an offer to learn."""
    return Reaction.ACCEPT_TEACHING if rng.random() < config.accept_teaching else Reaction.DECLINE_TEACHING


def answer(user: "SimUser", key: str, config: ReactionConfig, rng: random.Random,
           real: "Callable[[str, str], str | None] | None" = None) -> tuple[str, str | None]:
    """(what the user says, the value they mean) for a question about ``key``; truthful.
    ``real(key, value as said)``: a real person's sentence for the statement, when there is one."""
    from simulator.population.goals import STATEMENTS, preference_value

    if key == "morning_routine":
        return ("coffee after the alarm", "coffee after the alarm") if user.habits.coffee_after_alarm \
            else ("none", "none")
    if key == "news_source":
        value = user.prefs.news_source
        return value.lower(), value
    value, spoken = preference_value(user, key)
    if key in STATEMENTS and rng.random() < config.answer_with_statement:
        template = rng.choice(STATEMENTS[key]).format(value=spoken)
        return (real(key, spoken) if real is not None else None) or template, value
    return spoken, value


# HWU64's yeses judge an answer ("yeap you've gotten my instructions perfectly", "good response"):
# they fit "Did I answer your question?", not "Is Miami your home city?", where only the rest
# ("yeah that is correct", "yes it's confirmed", "yeap") are said.
ABOUT_A_RESPONSE = re.compile(r"respon|command|instruct|understa|\bgot|\bget|\bdone\b|\bdid\b|excellent|wonderful"
                              r"|amazing|fantastic|great|good|perfect")


def confirm_offered(reply: str) -> str | None:
    """The value an offer asks the user to confirm as theirs ("Is Miami, Florida your home city?
    I'll remember it." -> "Miami, Florida"), or None when the offer asks an open question."""
    found = CONFIRM_OFFER.search(reply.strip())
    return found.group(1).strip() if found else None


def suggested(reply: str) -> str | None:
    """The value the assistant suggests ("Did you mean the New England Patriots?"), or None."""
    found = SUGGESTION.search(reply)
    return found.group(1).strip() if found else None


def complaint(rng: random.Random) -> str:
    return rng.choice(COMPLAINTS)


def decline(rng: random.Random) -> str:
    return rng.choice(DECLINES)
