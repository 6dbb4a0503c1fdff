"""Retrieval rewriting: find, among utterances that worked, the one the user most likely meant.

Two indexes, the user's own successful utterances (personal) and those that worked for many
users (global), are searched with MiniLM embeddings; candidates are ranked by a mix of
cosine similarity, fuzzy and phonetic match and their success record, with a bonus for the
user's own. Guards keep it from "fixing" what is not broken: an utterance that already works
is left alone, only suspicious ones (low ASR confidence, words the assistant never learnt,
a failing record) are rewritten, and a candidate may not drop a number or a word that flips
the meaning (on/off, a room).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Sequence

import jellyfish
from rapidfuzz import fuzz

from assistant.learning.index import UtteranceStats
from assistant.learning.rewrites import GLOBAL
from assistant.text import normalize, tokens
from assistant.text import words as all_words

if TYPE_CHECKING:
    import numpy as np

# Weights of the ranking; the threshold is the component's `retrieval_threshold` (config.yml).
# Misheard words keep their sound and spelling better than their meaning, so fuzzy and
# phonetic match weigh as much as the embedding's cosine.
W_COSINE, W_FUZZY, W_PHONETIC, W_HISTORY = 0.35, 0.3, 0.25, 0.1
LOW_ASR_CONFIDENCE = 0.85
# A candidate's success rate must beat the heard utterance's own by this much.
MIN_IMPROVEMENT = 0.3
TOP_K = 5
# Words whose swap changes what a request means: a rewrite may not drop them.
CONTRASTIVE = frozenset({
    "on", "off", "up", "down", "open", "close", "closed", "lock", "unlock", "start", "stop",
    "cancel", "set", "not", "no", "yes", "more", "less", "increase", "decrease", "higher", "lower",
    "brighter", "dimmer", "dim", "warmer", "cooler", "am", "pm", "tomorrow", "today",
})


@dataclass(frozen=True)
class Candidate:
    text: str
    scope: str          # "personal" or "global"
    score: float
    cosine: float
    fuzzy: float
    phonetic: float
    history: float


def phonetic_key(text: str) -> str:
    """A sound-alike key: the words' metaphone codes run together, lower case
    ("thermostat" and "thermastat" -> "0rmstt", "maj and" ~ "imagine")."""
    letters = (re.sub(r"[^a-z]", "", word) for word in tokens(text))
    return "".join(jellyfish.metaphone(word).lower() for word in letters if word)


def ratio(a: str, b: str) -> float:
    """Edit-distance likeness of two strings, 0..1 (1 for two empty ones)."""
    return fuzz.ratio(a, b) / 100 if a or b else 1.0


# Short words that catalog names contain but that carry no meaning of their own.
STOPWORDS = frozenset({"the", "a", "an", "and", "of", "in", "to", "my", "me", "is", "it", "for",
                       "with", "at", "by", "please", "play", "some", "what", "whats", "can", "you",
                       "did", "do", "does", "are", "was", "i", "i'm"})


MIN_ALIGNMENT = 0.6


def keeps_meaning(source: str, target: str) -> bool:
    """A rewrite fixes misheard words; it does not change what was asked. The target keeps
    the source's numbers (and adds none), its meaning-flipping words and catalog names (a
    room, a city, a genre), and every word it adds sounds or reads like words it drops
    ("a larm" -> "alarm", "foke" -> "folk"; not "play some" -> "play some pop")."""
    src_words, tgt_words = tokens(source), tokens(target)
    src, tgt = set(src_words), set(tgt_words)
    names = catalog_words()
    kept = {w for w in src if w in CONTRASTIVE or (w in names and w not in STOPWORDS)}
    numbers = {w for w in src if any(ch.isdigit() for ch in w)}
    if not kept <= tgt or numbers != {w for w in tgt if any(ch.isdigit() for ch in w)}:
        return False
    if _hides_another_word(src_words, tgt):
        return False
    added = tgt - src - STOPWORDS - qualifiers(" ".join(src_words))
    return _aligned(sorted(added), [w for w in src_words if w not in tgt])


def _aligned(added: list[str], dropped: list[str]) -> bool:
    """Each added word sounds or reads like its own dropped word, or two dropped words run
    together ("a larm" -> "alarm"); a dropped word serves one added word only; and a dropped
    word of substance (4+ letters, "greet" for "greek") is replaced, not just left out."""
    spans: list[tuple[tuple[int, ...], str]] = [((i,), w) for i, w in enumerate(dropped)]
    spans += [((i, i + 1), a + b) for i, (a, b) in enumerate(zip(dropped, dropped[1:]))]
    scored = sorted(((_likeness(word, text), word, used) for word in added for used, text in spans),
                    reverse=True)
    matched: set[str] = set()
    taken: set[int] = set()
    for score, word, used in scored:
        if score < MIN_ALIGNMENT:
            break
        if word in matched or taken & set(used):
            continue
        matched.add(word)
        taken.update(used)
    substantial = {i for i, w in enumerate(dropped) if len(w) >= 4 and w not in STOPWORDS}
    return matched == set(added) and substantial <= taken


def _likeness(a: str, b: str) -> float:
    return max(ratio(a, b), ratio(_sound(a), _sound(b)))


# How closely a dropped word run into the next must read like a meaning-flipping word it hides.
MIN_HIDDEN_SPELLING = 0.6


def _hides_another_word(src_words: list[str], tgt: set[str]) -> bool:
    """A dropped word that, run into the meaning-flipping word after it, sounds like another
    one: "in lock" is "unlock" misheard, so rewriting it to "lock" would flip the request. It
    must read like it too: "lice off" sounds a little like "less", but is no misheard "less"."""
    for dropped, word in zip(src_words, src_words[1:]):
        if word not in CONTRASTIVE or dropped in tgt:
            continue
        merged = _sound(dropped + word)
        if any(other != word and len(other) >= 4 and ratio(merged, _sound(other)) >= 0.8
               and ratio(dropped + word, other) >= MIN_HIDDEN_SPELLING for other in CONTRASTIVE):
            return True
    return False


def _sound(word: str) -> str:
    return phonetic_key(word).lstrip("aeiouy") or phonetic_key(word)


def _words_of(paths: list) -> frozenset[str]:
    words: set[str] = set()
    for path in paths:
        text = re.sub(r"\]\([^)]*\)", " ", path.read_text(encoding="utf-8"))
        words.update(all_words(text))
    return frozenset(words)


def qualifiers(text: str) -> frozenset[str]:
    """Words that only narrow down a name already said: the regions of the cities in ``text``
    ("wilkerson" -> california, washington). A rewrite may add them (the user's own city)."""
    said = f" {text} "
    found: set[str] = set()
    for name, regions in _city_regions().items():
        if f" {name} " in said:
            for region in regions:
                found.update(all_words(region))
    return frozenset(found)


@functools.lru_cache(maxsize=1)
def _city_regions() -> dict[str, tuple[str, ...]]:
    from assistant.catalog import load_catalog

    regions: dict[str, list[str]] = {}
    for city in load_catalog().cities:
        regions.setdefault(" ".join(all_words(city.name)), []).append(city.region)
    return {name: tuple(values) for name, values in regions.items()}


@functools.lru_cache(maxsize=1)
def catalog_words() -> frozenset[str]:
    """Every word of the catalogs (rooms, devices, cities, teams, genres, titles...)."""
    from assistant.paths import PROJECT_ROOT

    return _words_of(sorted((PROJECT_ROOT / "assistant" / "catalogs").glob("*.yml"))) - {
        "name", "names", "aliases", "kind", "kinds", "words", "region", "formats", "format"}


@functools.lru_cache(maxsize=1)
def vocabulary() -> frozenset[str]:
    """Every word the assistant was trained on or has in its catalogs."""
    from assistant.paths import PROJECT_ROOT

    return _words_of(sorted((PROJECT_ROOT / "stories" / "nlu").glob("*.yml"))) | catalog_words()


def suspicious(text: str, asr_confidence: float | None, record: UtteranceStats | None,
               known: frozenset[str]) -> str | None:
    """Why this utterance may be misheard or misunderstood, or None when it looks fine."""
    if asr_confidence is not None and asr_confidence < LOW_ASR_CONFIDENCE:
        return f"low ASR confidence ({asr_confidence:.2f})"
    unknown = [w for w in tokens(text) if w not in known and not w.isdigit()]
    if unknown:
        return "unknown words: " + ", ".join(unknown[:3])
    if record is not None and record.failures >= max(1, record.successes):
        return f"failed {record.failures} times before"
    return None


class RetrievalIndex:
    """The personal and global candidates, with their embeddings (computed once per text)."""

    def __init__(self, stats: Sequence[UtteranceStats], *, global_min_users: int,
                 personal_min_successes: int,
                 encode: Callable[[Sequence[str]], "np.ndarray"] | None = None,
                 cache: dict[str, "np.ndarray"] | None = None) -> None:
        import numpy as np

        from assistant import embeddings

        self._encode = encode or embeddings.encode
        self._cache: dict[str, np.ndarray] = cache if cache is not None else {}
        self.records: dict[tuple[str, str], UtteranceStats] = {(s.user_id, s.text): s for s in stats}
        self.global_entries = [s for s in stats if s.user_id == GLOBAL and s.users >= global_min_users
                               and s.successes > s.failures]
        self.personal_entries: dict[str, list[UtteranceStats]] = {}
        for s in stats:
            if s.user_id != GLOBAL and s.successes >= personal_min_successes and s.successes > s.failures:
                self.personal_entries.setdefault(s.user_id, []).append(s)
        wanted = {s.text for s in self.global_entries} | {
            s.text for entries in self.personal_entries.values() for s in entries}
        missing = sorted(wanted - set(self._cache))
        if missing:
            for text, vector in zip(missing, self._encode(missing)):
                self._cache[text] = vector
        self._global_matrix = self._matrix(self.global_entries)
        self._personal_matrix = {user: self._matrix(entries) for user, entries in self.personal_entries.items()}
        self._np = np

    @property
    def cache(self) -> dict[str, "np.ndarray"]:
        return self._cache

    def _matrix(self, entries: Sequence[UtteranceStats]) -> "np.ndarray":
        import numpy as np

        if not entries:
            return np.zeros((0, 384), dtype=np.float32)
        return np.stack([self._cache[s.text] for s in entries])

    def record(self, text: str, user_id: str | None) -> UtteranceStats | None:
        """The utterance's own record: the user's when there is one, else everyone's."""
        key = normalize(text)
        return (self.records.get((user_id, key)) if user_id else None) or self.records.get((GLOBAL, key))

    def known_good(self, text: str, user_id: str | None, min_successes: int) -> bool:
        key = normalize(text)
        for scope in ([user_id] if user_id else []) + [GLOBAL]:
            found = self.records.get((scope, key))
            if found is not None and found.successes >= min_successes and found.successes > found.failures:
                return True
        return False

    def candidates(self, text: str, user_id: str | None, *, personal: bool, global_: bool,
                   personal_bonus: float) -> list[Candidate]:
        """Ranked candidates for an utterance (best first), excluding itself."""
        key = normalize(text)
        pools: list[tuple[str, list[UtteranceStats], "np.ndarray"]] = []
        if personal and user_id and user_id in self.personal_entries:
            pools.append(("personal", self.personal_entries[user_id], self._personal_matrix[user_id]))
        if global_ and self.global_entries:
            pools.append(("global", self.global_entries, self._global_matrix))
        if not pools:
            return []
        vector = self._encode([key])[0]
        sound = phonetic_key(key)
        ranked: dict[str, Candidate] = {}
        for scope, entries, matrix in pools:
            cosines = matrix @ vector
            for index in self._np.argsort(-cosines)[:TOP_K]:
                entry = entries[int(index)]
                if entry.text == key or not keeps_meaning(key, entry.text):
                    continue
                cosine = float(cosines[index])
                fuzzy = ratio(key, entry.text)
                phon = ratio(sound, phonetic_key(entry.text))
                score = (W_COSINE * cosine + W_FUZZY * fuzzy + W_PHONETIC * phon
                         + W_HISTORY * entry.success_rate + (personal_bonus if scope == "personal" else 0.0))
                best = ranked.get(entry.text)
                if best is None or score > best.score:
                    ranked[entry.text] = Candidate(entry.text, scope, score, cosine, fuzzy, phon,
                                                   entry.success_rate)
        return sorted(ranked.values(), key=lambda c: -c.score)
