"""What the assistant says on a teachable moment: an offer to learn, aimed at the category
of the request that failed ("What kind of music do you like?"), unless the user recently
declined it; and what it does with the answer."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.prefs import qa
from assistant.prefs.keys import PrefKey
from assistant.services.preferences import UserPrefs

OFFER_PREFIX = "offer:"
CHECK_PREFIX = "check:"
DECLINE_COOLDOWN_SECONDS = 24 * 3600.0

# The category that would have helped each kind of request.
OFFER_KEYS = {
    "play_media": PrefKey.MUSIC_GENRE,
    "ask_team_score": PrefKey.SPORTS_TEAM,
    "find_restaurant": PrefKey.CUISINE,
    "ask_weather": PrefKey.HOME_CITY,
    "inform_place": PrefKey.HOME_CITY,
}
OFFER_QUESTIONS = {
    PrefKey.MUSIC_GENRE: "What kind of music do you like?",
    PrefKey.SPORTS_TEAM: "Which team do you follow?",
    PrefKey.CUISINE: "What kind of food do you like?",
    PrefKey.HOME_CITY: "Which city should I use for your weather?",
}


@dataclass(frozen=True)
class Offer:
    """The reply, and the pending question to set (None: nothing offered)."""

    text: str
    pending: str | None = None


# What the assistant says to a complaint when it may not learn (and when nothing would help).
APOLOGY = "Sorry about that. Could you say it another way?"

def offer_for(moment: dict, user: UserPrefs, declined: dict, now: float) -> Offer:
    """The offer for a moment (the `teachable_moment` slot's value)."""
    signals = set(moment.get("signals") or [])
    opener = "Sorry I keep getting that wrong." if "repeat" in signals else "Sorry about that."
    key = OFFER_KEYS.get(str(moment.get("failing_intent")))
    if key is None or user.error or user.liked(key) or recently_declined(declined, key, now):
        return Offer(f"{opener} Could you say it another way?")
    return Offer(f"{opener} {OFFER_QUESTIONS[key]} I'll remember it.", OFFER_PREFIX + key.value)


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


def answers_offer(pending: str | None, text: str, intent: str | None) -> bool:
    """Whether this message answers the pending offer (a value, a skip, a no) rather than
    being a new request that lets the offer lapse."""
    key = offered_key(pending)
    if key is None:
        return False
    if intent in ("affirm", "deny", "stop"):
        return True
    answer = qa.read_answer(key, text)
    if answer.kind is not qa.AnswerKind.INVALID or answer.suggestion:
        return True
    from assistant.prefs.statements import find_values

    return bool(find_values(text, key))  # e.g. "Wilkerson": an answer that needs a follow-up
