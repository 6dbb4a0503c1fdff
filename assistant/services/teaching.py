"""What the assistant says on a teachable moment: an offer to learn the preference the failed
answer rested on ("What kind of music do you like?"), unless the user recently declined it; and
what it does with the answer. An answer that rested on no preference (a misheard name, a wrong
intent) gets no offer: no preference would have helped."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from assistant.prefs import qa
from assistant.prefs.keys import Polarity, PrefKey, Source
from assistant.services.preferences import UserPrefs

OFFER_PREFIX = "offer:"
CHECK_PREFIX = "check:"
DECLINE_COOLDOWN_SECONDS = 24 * 3600.0

# The request a moment's failed answer came from, carried out again once its preference is taught
# ("Thanks, I'll remember that you like jazz." then "Playing some jazz."): each reads the value
# from the answer's words, or the preference just stored.
RESUME_ACTIONS = {
    "play_media": "action_play_media",
    "ask_team_score": "action_team_score",
    "find_restaurant": "action_find_restaurant",
    "ask_weather": "action_weather",
}
TIMESTAMP_KEY = "timestamp"  # the turn's own time (the home's clock) in the message metadata
OFFER_QUESTIONS = {
    PrefKey.MUSIC_GENRE: "What kind of music do you like?",
    PrefKey.SPORTS_TEAM: "Which team do you follow?",
    PrefKey.CUISINE: "What kind of food do you like?",
    PrefKey.HOME_CITY: "Which city should I use for your weather?",
}


# After a guess, the value the user named, asked about: "Is Miami, Florida your home city?".
CONFIRM_QUESTIONS = {
    PrefKey.MUSIC_GENRE: "Is {value} the kind of music you like?",
    PrefKey.SPORTS_TEAM: "Are the {value} your team?",
    PrefKey.CUISINE: "Is {value} your favourite food?",
    PrefKey.HOME_CITY: "Is {value} your home city?",
}
CORRECTED_GUESS = "corrected_guess"   # the moment's signal (assistant.teachable.signals.Signal)


@dataclass(frozen=True)
class Offer:
    """The reply, the pending question to set (None: nothing offered), and the value a yes
    means (the `qa_suggestion` slot: "Is Miami, Florida your home city?")."""

    text: str
    pending: str | None = None
    suggestion: str | None = None


# What the assistant says to a complaint when it may not learn (and when nothing would help).
APOLOGY = "Sorry about that. Could you say it another way?"

def offer_for(moment: dict, user: UserPrefs, declined: dict, now: float) -> Offer:
    """The offer for a moment (the `teachable_moment` slot's value). On a guess for want of a
    preference it asks by the way; on a failure ("that's wrong", a repeat) it apologises and
    asks, even when a value was inferred (it did not serve the user), but not when the user told
    it one: the answer had their own value, so what failed is more likely the request understood."""
    signals = set(moment.get("signals") or [])
    key = offer_key(moment)
    if CORRECTED_GUESS in signals:
        value = str(moment.get("value") or "")
        if key is None or not value or user.error or user.liked(key) or recently_declined(declined, key, now):
            return Offer("")
        shown = value.title() if key is PrefKey.CUISINE else value
        question = CONFIRM_QUESTIONS[key].format(value=shown.removeprefix("the ").removeprefix("The "))
        return Offer(f"{question} I'll remember it.", OFFER_PREFIX + key.value, value)
    if "needs_preference" in signals:
        if key is None or user.error or user.liked(key) or recently_declined(declined, key, now):
            return Offer("")
        return Offer(f"{OFFER_QUESTIONS[key]} I'll remember it.", OFFER_PREFIX + key.value)
    opener = "Sorry I keep getting that wrong." if "repeat" in signals else "Sorry about that."
    if key is None or user.error or recently_declined(declined, key, now) or told(user, key):
        return Offer(f"{opener} Could you say it another way?")
    return Offer(f"{opener} {OFFER_QUESTIONS[key]} I'll remember it.", OFFER_PREFIX + key.value)


def told(user: UserPrefs, key: PrefKey) -> bool:
    """The user told the assistant a liked value of ``key`` themselves (said, taught or answered
    in the Q&A), rather than it being inferred from what they do."""
    return any(p.key is key and p.polarity is Polarity.LIKE and p.source is not Source.IMPLICIT for p in user.prefs)


def check_question(intent: str, key: str | None) -> str:
    """The pending question of "Did I answer your question?": the intent answered, and the
    preference the answer rested on ("check:play_media|music_genre")."""
    return CHECK_PREFIX + intent + (f"|{key}" if key else "")


def guess_check(intent: str, key: PrefKey, *, enabled: bool, pending: str | None, asked: list[str],
                declined: dict, now: float) -> str | None:
    """The pending question of "Did I answer your question?" to add to an answer that guessed
    for want of ``key`` (the home's city for "what's the weather", pop for "play some music"), or
    None. A wrong guess then costs the user a "no" (and the offer that follows), not the same
    request again; a right one costs a "yes" and no offer. Asked once a conversation (``asked``:
    the pending questions set so far), not with another question pending, and never after a
    recent "no thanks" to learning the key."""
    if not enabled or pending or recently_declined(declined, key, now):
        return None
    if any(a == OFFER_PREFIX + key.value or (a.startswith(CHECK_PREFIX) and a.endswith(f"|{key.value}"))
           for a in asked):
        return None
    return check_question(intent, key.value)


def checked_moment(pending: str) -> dict:
    """The moment a "no" to that question makes (the `teachable_moment` slot's value)."""
    intent, _, key = pending[len(CHECK_PREFIX):].partition("|")
    return {"signals": ["no_to_check"], "failing_intent": intent or None, "failing_text": "",
            "similarity": None, "key": key or None}


def resume_action(moment: Any) -> str | None:
    """The action that answers the moment's failed request again, now that it can (none after a
    value the user named was confirmed: that request was answered already)."""
    if not isinstance(moment, dict) or confirms(moment):
        return None
    return RESUME_ACTIONS.get(str(moment.get("failing_intent")))


def confirms(moment: Any) -> bool:
    """The moment's offer asked whether a value the user named is theirs (yes or no)."""
    return isinstance(moment, dict) and CORRECTED_GUESS in (moment.get("signals") or [])


def offer_key(moment: dict) -> PrefKey | None:
    """The preference the moment's failed answer rested on, if the assistant can ask for it."""
    try:
        key = PrefKey.parse(str(moment.get("key") or ""))
    except ValueError:
        return None
    return key if key in OFFER_QUESTIONS else None


def own_time(metadata: Any) -> float | None:
    """The turn's own time in the message metadata (the home's clock, which a simulation moves)."""
    value = metadata.get(TIMESTAMP_KEY) if isinstance(metadata, dict) else None
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def message_time(metadata: Any) -> float:
    """The turn's own time, else the wall clock."""
    when = own_time(metadata)
    return time.time() if when is None else when


def recently_declined(declined: dict, key: PrefKey, now: float) -> bool:
    when = (declined or {}).get(key.value)
    return isinstance(when, (int, float)) and now - when < DECLINE_COOLDOWN_SECONDS


def offered_key(pending: str | None) -> PrefKey | None:
    """The category of a pending offer ("offer:music_genre"), or None."""
    if not pending or not pending.startswith(OFFER_PREFIX):
        return None
    try:
        return PrefKey.parse(pending[len(OFFER_PREFIX):])
    except ValueError:
        return None


# Intents that are no request of the home's: words understood so may still be a yes in more words.
NOT_A_REQUEST = frozenset({"affirm", "complain", "thank", "greet", "nlu_fallback", "out_of_scope", "state_preference"})


# What NLU may make of a "no" said in more words ("i am sorry but you did not interpret command right").
UNREAD_ANSWERS = frozenset({"nlu_fallback", "out_of_scope", "thank"})


def says_no_to_check(pending: str | None, text: str, intent: str | None) -> bool:
    """The answer to "Did I answer your question?" says no in words NLU read as no "no" and no
    complaint: one of `UNREAD_ANSWERS`, and it negates ("that's not the correct command")."""
    return (bool(pending) and str(pending).startswith(CHECK_PREFIX) and intent in UNREAD_ANSWERS
            and bool(qa.NEGATING.search(str(text or "").lower())))


def declines(text: str, intent: str | None) -> bool:
    """A no to an offer to learn: understood as one, or asked to stop in words NLU took for a
    device command ("will you shut down please")."""
    return intent in ("deny", "stop") or qa.quits(text)


def says_yes(text: str, intent: str | None) -> bool:
    """A yes to a question about one value ("Is Miami, Florida your home city?"): understood as
    one, or a few words that say yes ("yeah that is correct") and were not taken for a request."""
    return intent == "affirm" or (intent in NOT_A_REQUEST and qa.affirms(text))


def answers_offer(pending: str | None, text: str, intent: str | None, suggestion: str | None = None) -> bool:
    """Whether this message answers the pending offer (a value, a skip, a no, a yes to the value
    it suggested) rather than being a new request that lets the offer lapse."""
    key = offered_key(pending)
    if key is None:
        return False
    if suggestion and (says_yes(text, intent) or qa.read_answer(key, text, suggestion).kind is qa.AnswerKind.VALUE):
        return True
    # "i'm a fan" (the name misheard away), or words that are no request at all ("purple
    # elephants"): an attempt at answering, told what was not understood and asked again.
    # "can you shut off please" (no device named) declines it, whatever NLU made of it.
    if intent in ("affirm", "deny", "stop", "state_preference", "nlu_fallback", "out_of_scope") or qa.quits(text):
        return True
    if key is PrefKey.HOME_CITY and intent == "inform_place":   # a place named: the answer, even misheard
        return True
    # A request that only sounds like a value ("put the disco lice on": blues?) is that request.
    answer = qa.read_answer(key, text)
    if answer.kind is not qa.AnswerKind.INVALID or (answer.suggestion and not answer.by_sound):
        return True
    from assistant.prefs.statements import find_values

    return bool(find_values(text, key))  # e.g. "Wilkerson": an answer that needs a follow-up
