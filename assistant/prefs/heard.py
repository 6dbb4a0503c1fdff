"""The catalog value a misheard name was meant to be: the value whose spelling and sound a run
of the user's words comes closest to ("war yours" -> Warriors, "see at all" -> Seattle,
"thigh" -> thai), looked for across word boundaries because a recogniser splits and joins words.

A match is a question to ask ("Did you mean the Golden State Warriors?"), never a value to
store: the user's yes stores it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from assistant.prefs.keys import PrefKey

# Words that name the kind of value meant, not the value: never part of a misheard name, and
# said beside one they narrow the catalogs to look in ("i love green music": an artist or genre).
CATEGORY_WORDS: dict[PrefKey, frozenset[str]] = {
    PrefKey.MUSIC_GENRE: frozenset({"music", "song", "songs", "band", "bands", "singer", "artist", "listen",
                                    "listening", "album", "albums", "tunes", "genre"}),
    PrefKey.MUSIC_ARTIST: frozenset({"music", "song", "songs", "band", "bands", "singer", "artist", "listen",
                                     "listening", "album", "albums", "tunes", "rapper", "fan", "fans"}),
    # "fan": of a team or an artist ("i'm a bowls fan": the Bulls, not blues).
    PrefKey.SPORTS_TEAM: frozenset({"team", "teams", "game", "games", "sports", "support", "root",
                                    "season", "win", "won", "fan", "fans"}),
    PrefKey.CUISINE: frozenset({"food", "foods", "cuisine", "eat", "eating", "dishes", "dish", "restaurant",
                                "restaurants", "cooking", "meal", "dinner", "lunch"}),
    PrefKey.HOME_CITY: frozenset({"live", "living", "lives", "home", "hometown", "based", "city", "town"}),
}
# Words of a statement that are never part of a name said in it.
TASTE_WORDS = frozenset({"i", "i'm", "im", "my", "like", "likes", "liked", "love", "loves", "loved", "enjoy",
                         "enjoys", "fan", "fans", "big", "huge", "really", "favorite", "favourite", "prefer",
                         "into", "please", "very", "just", "kind", "type", "always", "best", "great", "good",
                         "the"}) | frozenset().union(*CATEGORY_WORDS.values())
# Common words that are no name on their own ("that" is spelt like "thai"): a run of only
# these is never a misheard value.
COMMON_WORDS = frozenset({"a", "an", "the", "that", "this", "these", "those", "then", "than", "there", "they",
                          "them", "what", "when", "where", "which", "who", "with", "it", "its", "is", "was",
                          "are", "be", "been", "and", "or", "but", "of", "to", "in", "on", "at", "by", "me",
                          "you", "your", "we", "our", "he", "she", "his", "her", "right", "time", "do", "did",
                          "not", "no", "yes", "so", "some", "any", "all", "one", "here", "now", "how", "why",
                          "can", "will", "would", "should", "could", "have", "has", "had", "get", "got"})
# A match must be this alike (0-100), and this far ahead of the next value, to be asked about.
STATED_FLOOR = 70.0      # said unasked: any of several catalogs
ANSWER_FLOOR = 60.0      # the answer to a question about one catalog ("What's your favourite cuisine?")
# A request's words must be this alike to be taken for a value misheard: a request's own words
# ("would you play": Coldplay, 72; "my most played": Mozart, 74) are near names too.
MISHEARD_FLOOR = 80.0
MARGIN = 10.0
MIN_LETTERS = 3
WORD = re.compile(r"[a-z']+")


@dataclass(frozen=True)
class HeardValue:
    """A catalog value (canonical), the key it belongs to, the user's words it was heard in, and
    how alike they are (0-100)."""

    key: PrefKey
    value: str
    words: str
    likeness: float


def likeness(said: str, spelling: str) -> float:
    """How alike two runs of words are, 0-100: sound and spelling blended as the text's surface
    likeness (which entity repair uses too), the sound also taken of the letters run together
    ("see at all" -> "STL", as "seattle"); spelling alone when the value's sound key is a single
    letter ("thai" -> "0"), which says too little."""
    from assistant.text import SOUND_WEIGHT, SPELLING_WEIGHT, joined_sound_key, sound_alike, spelling_alike

    spelt = spelling_alike(said, spelling)
    if len(joined_sound_key(spelling)) < 2:
        return 100 * spelt
    sound = max(sound_alike(said, spelling), sound_alike(said.replace(" ", ""), spelling.replace(" ", "")))
    return 100 * (SOUND_WEIGHT * sound + SPELLING_WEIGHT * spelt) / (SOUND_WEIGHT + SPELLING_WEIGHT)


def candidates(text: str, keys: Iterable[PrefKey]) -> list[HeardValue]:
    """Each value of ``keys``'s catalogs with the run of ``text``'s words most like it (runs of
    one word to two more than the value has), best first."""
    from assistant.prefs.values import spellings

    said = WORD.findall(str(text).lower().replace("’", "'")[:500])
    best: dict[tuple[PrefKey, str], HeardValue] = {}
    for key in keys:
        for spelling, value in spellings(key).items():
            size = len(spelling.split())
            for run in _runs(said, max(1, size - 1), size + 2):
                score = likeness(run, spelling)
                found = best.get((key, value))
                if found is None or score > found.likeness:
                    best[(key, value)] = HeardValue(key, value, run, score)
    return sorted(best.values(), key=lambda h: -h.likeness)


def heard_value(text: str, keys: Iterable[PrefKey], floor: float = STATED_FLOOR) -> HeardValue | None:
    """The one value ``text`` sounds like: at least ``floor`` alike, and ``MARGIN`` ahead of any
    other value; None when nothing is, or two are about as close."""
    ranked = candidates(text, keys)
    if not ranked or ranked[0].likeness < floor:
        return None
    if len(ranked) > 1 and ranked[0].likeness - ranked[1].likeness < MARGIN:
        return None
    return ranked[0]


# The catalogs a request may name its own value from, by the preference its answer rests on: music
# is named by genre or by artist ("initiate mile stavis music" needed no favourite genre).
NAMED_BY = {PrefKey.MUSIC_GENRE: (PrefKey.MUSIC_GENRE, PrefKey.MUSIC_ARTIST),
            PrefKey.MUSIC_ARTIST: (PrefKey.MUSIC_GENRE, PrefKey.MUSIC_ARTIST)}


def misheard(text: str, key: PrefKey) -> HeardValue | None:
    """The value a request's words sound like without saying it, of ``key`` or a catalog that
    stands in for it ("tell me it alien restaurants": italian, "set a cunt ry music": country):
    the request named its own value, which the recogniser garbled, so no preference of the
    user's would have served it."""
    from assistant.prefs.values import names_outright

    keys = NAMED_BY.get(key, (key,))
    return None if any(names_outright(text, k) for k in keys) else heard_value(text, keys, MISHEARD_FLOOR)


def keys_named(text: str, keys: Iterable[PrefKey]) -> tuple[PrefKey, ...]:
    """``keys`` narrowed to those whose category words ``text`` says ("music", "team", "live"),
    or all of ``keys`` when it says none."""
    said = set(WORD.findall(str(text).lower()))
    keys = tuple(keys)
    named = tuple(k for k in keys if CATEGORY_WORDS.get(k, frozenset()) & said)
    return named or keys


def _runs(said: list[str], shortest: int, longest: int) -> Iterable[str]:
    for size in range(shortest, longest + 1):
        for first in range(len(said) - size + 1):
            run = said[first:first + size]
            if run[0] in TASTE_WORDS or run[-1] in TASTE_WORDS or any(w in TASTE_WORDS and len(w) > 3 for w in run):
                continue
            if all(w in COMMON_WORDS for w in run):
                continue
            joined = " ".join(run)
            if len(joined.replace(" ", "")) >= MIN_LETTERS:
                yield joined
