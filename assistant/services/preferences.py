"""The preference store as the actions see it: which store, and preferences put into words."""

from __future__ import annotations

import functools
import logging
import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Literal

from assistant.paths import DEFAULT_DATA_DIR, PREFS_URL_ENV, DataDir
from assistant.prefs.keys import COFFEE_AFTER_ALARM, NO_ROUTINE, Polarity, PrefKey

if TYPE_CHECKING:
    from assistant.prefs.store import Correction, Evidence, Preference, PreferenceStore

# Words that name a preference category in "forget my music preference".
SCOPE_WORDS: dict[PrefKey, tuple[str, ...]] = {
    PrefKey.MUSIC_GENRE: ("music", "genre", "genres", "songs"),
    PrefKey.MUSIC_ARTIST: ("music", "artist", "artists", "band", "bands", "singer"),
    PrefKey.SPORTS_TEAM: ("team", "teams", "sport", "sports"),
    PrefKey.CUISINE: ("cuisine", "food", "restaurant", "restaurants"),
    PrefKey.HOME_CITY: ("city", "home", "town", "live", "location"),
    PrefKey.TEMPERATURE_UNIT: ("unit", "units", "celsius", "fahrenheit"),
    PrefKey.NEWS_SOURCE: ("news",),
    PrefKey.MORNING_ROUTINE: ("routine", "morning", "coffee"),
}
EVERYTHING_WORDS = ("everything", "all", "anything", "whole")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UserPrefs:
    """One user's preferences as read at the start of a turn (``error`` when the store failed)."""

    prefs: tuple["Preference", ...] = ()
    error: str | None = None

    def liked(self, key: PrefKey) -> list[str]:
        """Liked values of a key, most recently updated first."""
        from assistant.prefs.store import values_of

        return values_of(self.prefs, key, Polarity.LIKE)

    def disliked(self, key: PrefKey) -> list[str]:
        from assistant.prefs.store import values_of

        return values_of(self.prefs, key, Polarity.DISLIKE)

    def first(self, key: PrefKey) -> str | None:
        """The most recently liked value of a key, or None."""
        return next(iter(self.liked(key)), None)


def for_user(user_id: str) -> UserPrefs:
    """The user's preferences; a store that fails gives none (the turn goes on without them)."""
    try:
        return UserPrefs(tuple(store().get(user_id)))
    except Exception as error:  # noqa: BLE001 - a broken store must not break the turn
        log.warning("could not read preferences of %r: %s", user_id, error)
        return UserPrefs(error=str(error))


_runtime_url: str | None = None


def use(url: str) -> str | None:
    """The store this process's runtime works with (when ASSISTANT_PREFS_URL is not set); the
    one used before, for `release` when that runtime closes."""
    global _runtime_url
    before, _runtime_url = _runtime_url, url
    return before


def release(url: str, before: str | None) -> None:
    """The runtime that used ``url`` closed: the store used before it is the process's again
    (unless another runtime took its place since). So a second runtime started and closed in one
    process (a test, a restart) leaves the first one's NLU components on the first one's store."""
    global _runtime_url
    if _runtime_url == url:
        _runtime_url = before


def store() -> "PreferenceStore":
    """The store named by ASSISTANT_PREFS_URL (the action server gets it from the runtime),
    else the one the runtime in this process uses, else the default data folder's."""
    url = os.environ.get(PREFS_URL_ENV) or _runtime_url or DataDir(DEFAULT_DATA_DIR).prefs_url
    return _open(url)


@functools.lru_cache(maxsize=4)
def _open(url: str) -> "PreferenceStore":
    from assistant.prefs.store import PreferenceStore

    return PreferenceStore.open(url)


def forget_scope(text: str) -> tuple[PrefKey, ...] | None:
    """The categories "forget my music preference" names; None means everything; () unclear."""
    words = set(re.findall(r"[a-z]+", text.lower()))
    keys = tuple(key for key, names in SCOPE_WORDS.items() if words & set(names))
    if keys:
        return keys
    if words & set(EVERYTHING_WORDS) or {"about", "me"} <= words:
        return None
    return ()


def phrase(pref: "Preference") -> str:
    """One preference in words: "you like jazz", "your home city is Seattle, Washington"."""
    return describe(pref.key, pref.value, pref.polarity)


# How a liked value is said back ({v}: the value, {t}: the value in title case).
LIKED_WORDS = {
    PrefKey.MUSIC_GENRE: "you like {v}",
    PrefKey.MUSIC_ARTIST: "you like {v}",
    PrefKey.SPORTS_TEAM: "you're a {v} fan",
    PrefKey.CUISINE: "you like {t} food",
    PrefKey.HOME_CITY: "your home city is {v}",
    PrefKey.TEMPERATURE_UNIT: "you prefer {t}",
    PrefKey.NEWS_SOURCE: "your news source is {v}",
}
ROUTINE_WORDS = {COFFEE_AFTER_ALARM: "you like coffee after the alarm", NO_ROUTINE: "you have no morning routine"}


def describe(key: PrefKey, value: str, polarity: Polarity) -> str:
    """One preference in words: "you like jazz", "you don't like country music"."""
    if polarity is Polarity.DISLIKE:
        noun = {PrefKey.MUSIC_GENRE: f"{value} music", PrefKey.CUISINE: f"{value.title()} food"}
        return f"you don't like {noun.get(key, value)}"
    if key is PrefKey.MORNING_ROUTINE and value in ROUTINE_WORDS:
        return ROUTINE_WORDS[value]
    template = LIKED_WORDS.get(key)
    if template is None:
        return f"your {key.label} is {value}"
    return template.format(v=value, t=value.title())


def note_tastes(user_id: str, text: str, keys: tuple[PrefKey, ...], evidence: "Evidence") -> str:
    """Store the likes of ``keys`` a request declares on its way ("i like kendrick lamar music
    please play it"), with their evidence, and say so ("Got it: you like Kendrick Lamar. ");
    "" when it declares none, or the store fails (the request is still answered)."""
    from assistant.prefs.keys import Source
    from assistant.prefs.statements import tastes_in_request
    from assistant.prefs.values import check_value

    said: list[str] = []
    before = for_user(user_id)
    for statement in tastes_in_request(text, keys):
        checked = check_value(statement.key, statement.value)
        if checked.value is None:
            continue
        try:
            store().set(user_id, statement.key, checked.value, statement.polarity, Source.STATEMENT,
                        evidence=evidence)
        except Exception as error:  # noqa: BLE001 - the store rolled back; the request still plays
            log.error("could not store %s for %r: %s", statement, user_id, error)
            return ""
        said.append(describe(statement.key, checked.value, statement.polarity)
                    + change_note(before, statement.key, checked.value, statement.polarity))
    return f"Got it: {join(said)}. " if said else ""


def change_note(before: UserPrefs, key: PrefKey, value: str, polarity: Polarity) -> str:
    """What a new statement changes of what the user said before, in words (the latest wins):
    " (you'd told me you liked it)", " (instead of the Warriors)"; "" when it changes nothing."""
    same = value.lower()
    if polarity is Polarity.LIKE and same in (v.lower() for v in before.disliked(key)):
        return " (you'd told me you didn't; I've changed that)"
    if polarity is Polarity.DISLIKE and same in (v.lower() for v in before.liked(key)):
        return " (you'd told me you liked it; I've changed that)"
    old = before.first(key)
    if polarity is Polarity.LIKE and key.single_valued and old is not None and old.lower() != same:
        return f" (instead of {old})"
    return ""


def summary(prefs: Iterable["Preference"], corrections: Iterable["Correction"] = ()) -> str:
    """All of a user's preferences (and corrections) as one sentence, or an invitation."""
    parts = [phrase(p) for p in prefs]
    parts += [f"when you say \"{c.said}\" you mean \"{c.meant}\"" for c in corrections]
    if not parts:
        return ("I don't know anything about you yet. Tell me, for example, "
                "\"I like jazz\" or \"I'm a Warriors fan\".")
    return "Here's what I know about you: " + join(parts) + "."


def scope_words(keys: tuple[PrefKey, ...] | None) -> str:
    """ "your music genre and artist preferences" / "everything I know about you"."""
    if keys is None:
        return "everything I know about you"
    labels = [key.label for key in keys]
    return f"your {join(labels)} preference" + ("s" if len(labels) > 1 else "")


FORGET_PREFIX = "forget:"


def forget_question(scope: tuple[PrefKey, ...] | None) -> str:
    """The pending_question value for "forget these (None: everything)?"."""
    return FORGET_PREFIX + ("*" if scope is None else ",".join(k.value for k in scope))


def parse_forget_question(pending: str) -> "tuple[PrefKey, ...] | None | Literal[False]":
    """The scope a pending forget question names; False when it is not one (or is garbled)."""
    if not pending.startswith(FORGET_PREFIX):
        return False
    body = pending[len(FORGET_PREFIX):]
    if body == "*":
        return None
    try:
        return tuple(PrefKey.parse(part) for part in body.split(","))
    except ValueError:
        return False


def forget(user_id: str, scope: tuple[PrefKey, ...] | None) -> int:
    """Delete the user's preferences in scope (None: everything), in one transaction; rows removed."""
    return store().forget(user_id, scope)


def join(parts: list[str]) -> str:
    """ "a", "a and b", "a; b and c" (semicolons: values may hold commas)."""
    if len(parts) <= 1:
        return "".join(parts)
    return "; ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 2 else " and ".join(parts)
