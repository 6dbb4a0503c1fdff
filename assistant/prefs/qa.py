"""The guided preference Q&A ("learn my preferences"): which categories to ask, and what an
answer means (a value, a skip, a stop, a change of an earlier answer, or something invalid).

Pure logic: the form's validation action (assistant/actions/validate_preference_form.py)
calls it and stores what it returns.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass, field
from typing import Iterable

from assistant.prefs.keys import Polarity, PrefKey
from assistant.prefs.statements import Statement, find_values, parse_statements
from assistant.prefs.values import check_value

# The categories the Q&A covers, in the order it asks them.
QA_KEYS = (PrefKey.MUSIC_GENRE, PrefKey.MUSIC_ARTIST, PrefKey.SPORTS_TEAM, PrefKey.CUISINE,
           PrefKey.HOME_CITY, PrefKey.TEMPERATURE_UNIT, PrefKey.NEWS_SOURCE, PrefKey.MORNING_ROUTINE)
SLOT_PREFIX = "qa_"
INTRO = ("Let's learn your preferences. Answer in your own words, or say \"skip\" to skip a "
         "question and \"stop\" to finish.")
QUESTIONS = {
    PrefKey.MUSIC_GENRE: "What kind of music do you like?",
    PrefKey.MUSIC_ARTIST: "Who's an artist you like to listen to?",
    PrefKey.SPORTS_TEAM: "Which sports team do you follow?",
    PrefKey.CUISINE: "What's your favourite cuisine?",
    PrefKey.HOME_CITY: "Which city do you live in? I'll use it for the weather.",
    PrefKey.TEMPERATURE_UNIT: "Do you prefer Celsius or Fahrenheit?",
    PrefKey.NEWS_SOURCE: "Where do you get your news from?",
    PrefKey.MORNING_ROUTINE: ("Shall I start the coffee when your alarm goes off? "
                              "Say \"coffee after the alarm\" or \"none\"."),
}
SKIPPED = "__skipped__"
STALE_AFTER = dt.timedelta(days=180)

STOP = re.compile(r"^(please )?(stop( asking)?( now)?|that'?s enough|enough|cancel|quit|i'?m done|done|"
                  r"finish|no more( questions)?|let'?s stop|stop the questions)( please| thanks)?$")
SKIP = re.compile(r"^(skip( (it|this|that)( one)?)?|pass|next( question)?|(i )?(don'?t|do not) know|no idea|"
                  r"not sure|(i'?d )?rather not say|no preference|don'?t care|i don'?t have one|whatever)"
                  r"( please| thanks)?$")
# Said anywhere in an answer that names no value: no preference to give ("whatever is fine",
# "anything would be okay with me", "i have no idea which to choose").
DONT_CARE = re.compile(r"\bwhatever\b|\banything\b.*\b(fine|okay|ok|good|do)\b|\bno idea\b|\bnot sure\b"
                       r"|\b(don'?t|do not|wouldn'?t|would not)( really)? (care|mind|know)\b"
                       r"|\b(doesn'?t|does not) (really )?matter\b|\bup to you\b|\bany ?one (is|will|would)\b"
                       r"|\b(either|any) (one|of them)\b|\byou (choose|pick|decide)\b|\bno preference\b"
                       r"|\bunimportant\b|\bnot important\b|\bof no importance\b")
# "can you shut off please", "will you shut down", "please can you cancel it": asked to stop, in
# words NLU may take for a device command (no device named: the phrase ends the sentence).
QUIT = re.compile(r"\b(shut (up|down|off|it)|cancel( it| that| this)?|be quiet|never ?mind|forget (it|about it))"
                  r"( please| now| thanks)?$")
YES = re.compile(r"^(yes|yeah|yep|yup|sure|right|correct|exactly|that'?s (it|right|the one)|i did|yes please)$")
# A yes in more words ("yeah that is correct", "yes it's confirmed", "strongly agree"), said to a
# question about one value ("Is Miami, Florida your home city?"), with no word that turns it round.
AFFIRMING = re.compile(r"\b(yes|yeah|yep|yeap|yup|sure|correct|right|exact|exactly|confirmed|affirmative|agreed?"
                       r"|indeed|absolutely|of course|it is|that'?s it|that'?s the one)\b")
NEGATING = re.compile(r"\b(no|not|nope|nah|never|wrong|incorrect|don'?t|doesn'?t|isn'?t|aren'?t|wasn'?t)\b")


AFFIRM_WORDS = 6   # longer, it is more likely a request that happens to hold "right" or "sure"


def _said(text: str) -> str:
    """The words in lower case, one space apart, with a typographic apostrophe made plain."""
    return " ".join(str(text).lower().replace("’", "'").split())


def quits(text: str) -> bool:
    """Whether the words ask the assistant to stop or drop it ("could you please shut up")."""
    return bool(QUIT.search(_said(text).strip(" .!?,")))


def affirms(text: str) -> bool:
    """Whether a few words say yes to a question about one value, and nothing against it."""
    said = _said(text)
    return (len(said.split()) <= AFFIRM_WORDS and bool(AFFIRMING.search(said))
            and not NEGATING.search(said))


def slot_for(key: PrefKey) -> str:
    return SLOT_PREFIX + key.value


def key_for(slot: str) -> PrefKey:
    return PrefKey.parse(slot[len(SLOT_PREFIX):])


def keys_to_ask(known: Iterable[tuple[PrefKey, dt.datetime]], now: dt.datetime) -> list[PrefKey]:
    """The Q&A's categories minus those with a liked value updated within STALE_AFTER."""
    fresh = {key for key, updated in known if now - updated < STALE_AFTER}
    return [key for key in QA_KEYS if key not in fresh]


class AnswerKind(enum.Enum):
    VALUE = "value"            # a catalog value for the question asked
    SKIP = "skip"              # "skip", "I don't know"
    STOP = "stop"              # "stop", "that's enough"
    ELSEWHERE = "elsewhere"    # a statement about other categories ("actually I prefer Celsius")
    INVALID = "invalid"        # not a known value: reprompt, maybe with a suggestion


@dataclass(frozen=True)
class Answer:
    """What an answer means. ``statements`` are to be stored (for VALUE: the value itself,
    with any dislikes or other categories said alongside)."""

    kind: AnswerKind
    value: str | None = None
    message: str = ""
    suggestion: str | None = None
    statements: tuple[Statement, ...] = field(default_factory=tuple)
    by_sound: bool = False   # the suggestion is what the words sound like ("thigh": thai)


def read_answer(key: PrefKey, text: str, suggestion: str | None = None) -> Answer:
    """Interpret the user's answer to the question about ``key``."""
    said = _said(text).strip(" .!?,")
    if not said:
        return Answer(AnswerKind.INVALID, message=f"I didn't catch that. {hint(key)}")
    if suggestion and YES.match(said):
        return Answer(AnswerKind.VALUE, suggestion)
    if STOP.match(said):
        return Answer(AnswerKind.STOP)
    statements = tuple(parse_statements(text))
    mine = [s for s in statements if s.key is key]
    others = tuple(s for s in statements if s.key is not key)
    liked = [s for s in mine if s.polarity is Polarity.LIKE]
    if liked:
        checked = check_value(key, liked[0].value)
        if checked.value is not None:
            extra = tuple(s for s in statements if s is not liked[0])
            return Answer(AnswerKind.VALUE, checked.value, statements=extra)
        return Answer(AnswerKind.INVALID, message=checked.message, suggestion=checked.suggestion,
                      by_sound=checked.by_sound)
    if mine or others:  # only dislikes of this category, or statements about other ones
        return Answer(AnswerKind.ELSEWHERE, statements=statements)
    if SKIP.match(said):
        return Answer(AnswerKind.SKIP)
    checked = check_value(key, text)
    if checked.value is not None:
        return Answer(AnswerKind.VALUE, checked.value)
    named = [] if checked.suggestion else find_values(text, key)
    if named:
        inner = check_value(key, named[0])
        if inner.value is not None:
            return Answer(AnswerKind.VALUE, inner.value)
        return Answer(AnswerKind.INVALID, message=inner.message, suggestion=inner.suggestion,
                      by_sound=inner.by_sound)
    # "i wouldn't really mind, choose any one": no preference, even where a word sounds like a value.
    if (checked.suggestion is None or checked.by_sound) and DONT_CARE.search(said):
        return Answer(AnswerKind.SKIP)
    message = checked.message
    if checked.suggestion is None:
        message += " You can also say \"skip\" or \"stop\"."
    return Answer(AnswerKind.INVALID, message=message, suggestion=checked.suggestion, by_sound=checked.by_sound)


def hint(key: PrefKey) -> str:
    """How to answer, for a reprompt."""
    return f"{QUESTIONS.get(key, f'What is your {key.label}?')} You can say \"skip\" or \"stop\"."
