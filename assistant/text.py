"""The one text normalizer: the words of a text, and the key utterances are stored under.

Catalog lookups, taught concepts, rewrites and the retrieval index all read text through
`words`, so "Hey, play Luigi's jazz!" is the same words everywhere.
"""

from __future__ import annotations

import functools
import re
from typing import Iterable, Sequence

from rapidfuzz import fuzz, process

# Punctuation goes, except an apostrophe inside a word ("luigi's") and a colon or point
# between digits ("7:30", "2.5") that a time or a number needs.
_NON_WORD = re.compile(r"(?!(?<=\d)[:.](?=\d))[^\w\s']+", re.UNICODE)
MAX_KEY = 200
# Words that never change what a request means: left out of the key, so that "hey, play jazz
# please" and "play jazz" are one utterance to mining and retrieval.
FILLERS = frozenset({"uh", "um", "er", "erm", "hmm", "hey", "please"})
# Sounds people make while speaking, never words of what they mean.
DISFLUENCIES = frozenset({"uh", "uhh", "um", "umm", "er", "erm", "hmm"})
# Disfluencies and the small words a speaker or a recogniser slips between two names
# ("wilkerson, a california").
SLIPPED_WORDS = DISFLUENCIES | {"a", "an", "the", "oh"}
CLOSE_SPELLING = 85.0          # rapidfuzz ratio, 0-100: a run of words this alike is the same words
WORD = re.compile(r"[\w']+")


def words(text: str) -> list[str]:
    """The words of any text: lowercased, punctuation and quotes dropped (no cap)."""
    spaced = _NON_WORD.sub(" ", str(text).lower().replace("\u2019", "'")).replace("_", " ")
    return [w for w in (word.strip("'") for word in spaced.split()) if w]


def plain(text: str) -> str:
    """The words of a text joined by single spaces ("Turn ON the 'lights'!" -> "turn on the lights")."""
    return " ".join(words(text))


def normalize(text: str) -> str:
    """The key of an utterance: its words without fillers, capped at 200 characters."""
    kept = [w for w in words(text) if w not in FILLERS]
    return " ".join(kept or words(text))[:MAX_KEY]


def tokens(text: str) -> list[str]:
    return normalize(text).split()


def jaccard(a: str, b: str) -> float:
    """Token-set overlap of two utterances, 0..1."""
    left, right = set(tokens(a)), set(tokens(b))
    if not left and not right:
        return 1.0
    return len(left & right) / len(left | right)


def closest_spelling(value: str, options: Iterable[str], cutoff: float = 0.75) -> str | None:
    """The option spelt most like `value` (edit-distance likeness at least `cutoff`, 0..1), or None."""
    found = process.extractOne(value, list(options), scorer=fuzz.ratio, score_cutoff=cutoff * 100)
    return found[0] if found else None


def sound_key(words: str) -> str:
    """The metaphone key of each word ("ray gay" -> "R K")."""
    import jellyfish

    return " ".join(jellyfish.metaphone(w) for w in WORD.findall(words.lower()))


# How sound and spelling are weighed in a surface likeness (entity repair adds meaning on top).
SOUND_WEIGHT = 0.5
SPELLING_WEIGHT = 0.4


@functools.lru_cache(maxsize=4096)
def joined_sound_key(words: str) -> str:
    """The metaphone keys of a phrase's words, run together ("ray gay" -> "RK")."""
    return sound_key(words).replace(" ", "")


def sound_alike(heard: str, spoken: str) -> float:
    """How alike two phrases sound: the likeness of their metaphone keys, 0..1 (0 when either
    has no key; 1 for the same letters split or joined differently, "hiphop")."""
    if heard.replace(" ", "") == spoken.replace(" ", ""):
        return 1.0
    a, b = joined_sound_key(heard), joined_sound_key(spoken)
    if not a or not b:
        return 0.0
    return fuzz.ratio(a, b) / 100.0


def spelling_alike(heard: str, spoken: str) -> float:
    """How alike two phrases are spelt, with and without their spaces, 0..1."""
    return max(fuzz.ratio(heard, spoken), fuzz.ratio(heard.replace(" ", ""), spoken.replace(" ", ""))) / 100.0


def surface_likeness(heard: str, spoken: str) -> float:
    """Sound and spelling blended, 0..1 ("war yours" and "warriors")."""
    return (SOUND_WEIGHT * sound_alike(heard, spoken) + SPELLING_WEIGHT * spelling_alike(heard, spoken)) \
        / (SOUND_WEIGHT + SPELLING_WEIGHT)


def sounds_like(words: str, text: str, taken: Sequence[tuple[int, int]] = ()) -> tuple[int, int] | None:
    """The run of ``text``'s words (as many as ``words`` has, or one more or one fewer: ASR
    splits and joins words) that sounds or is spelled most like ``words`` and overlaps nothing
    in ``taken``; None when no run does. Runs of fewer than three letters never match."""
    wanted = " ".join(WORD.findall(words.lower()))
    count = len(wanted.split())
    if not wanted or len(wanted.replace(" ", "")) < 3:
        return None
    key = sound_key(wanted).replace(" ", "")
    spoken = list(WORD.finditer(text))
    best: tuple[float, int, int] | None = None
    for size in sorted({count, count + 1, max(1, count - 1)}):
        for first in range(len(spoken) - size + 1):
            run = spoken[first:first + size]
            start, end = run[0].start(), run[-1].end()
            said = " ".join(t.group().lower() for t in run)
            if len(said.replace(" ", "")) < 3 or any(start < e and s < end for s, e in taken):
                continue
            score = fuzz.ratio(said, wanted)
            if score >= CLOSE_SPELLING or (key and sound_key(said).replace(" ", "") == key):
                if best is None or score > best[0]:
                    best = (score, start, end)
    return None if best is None else (best[1], best[2])


def without_disfluencies(text: str) -> str:
    """The text without "uh", "um" and the like as words of their own ("portland, uh oregon")."""
    kept = [w for w in str(text).split() if w.lower().strip(",.!?") not in DISFLUENCIES]
    return " ".join(kept) if kept else str(text)
