"""How alike a heard span and a candidate are: by sound (metaphone keys, jellyfish through
`assistant.text.sound_key`), by spelling (rapidfuzz) and, when a meaning scorer is given, by
meaning (MiniLM through `assistant.similarity`).

Sound and spelling are compared with the spaces taken out as well as in, because a recogniser
splits and joins words ("cold play" for "coldplay", "hiphop" for "hip hop"). Meaning is costly
(an embedding per text), so it is asked for the few best candidates by sound and spelling only.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Sequence

from rapidfuzz import fuzz

from assistant.repair.candidates import Candidate
from assistant.similarity import PairSimilarity
from assistant.text import SOUND_WEIGHT, SPELLING_WEIGHT, plain
from assistant.text import joined_sound_key as _key

# Weights of the three views when meaning is scored (sound's and spelling's are the text's);
# without meaning, sound and spelling share it.
MEANING_WEIGHT = 0.1
MEANING_TOP = 3        # candidates whose meaning is scored (the best by sound and spelling)


@dataclass(frozen=True)
class Scored:
    """A candidate and how alike it is to the heard span (each view, and the blend, 0..1)."""

    candidate: Candidate
    sound: float
    spelling: float
    meaning: float | None = None
    bonus: float = 0.0          # what the priors added (`assistant.repair.priors`)

    @property
    def form(self) -> float:
        """Sound and spelling blended (the surface form)."""
        return (SOUND_WEIGHT * self.sound + SPELLING_WEIGHT * self.spelling) / (SOUND_WEIGHT + SPELLING_WEIGHT)

    @property
    def score(self) -> float:
        """The form, with meaning when it was scored, plus the priors' bonus."""
        if self.meaning is None:
            base = self.form
        else:
            base = (SOUND_WEIGHT * self.sound + SPELLING_WEIGHT * self.spelling
                    + MEANING_WEIGHT * self.meaning)
        return base + self.bonus


@functools.lru_cache(maxsize=64)
def _views(pool: tuple[Candidate, ...]) -> tuple[list[str], list[str], list[str]]:
    """A pool's spoken forms, the same without spaces, and their sound keys (computed once)."""
    spoken = [c.spoken for c in pool]
    return spoken, [s.replace(" ", "") for s in spoken], [_key(s) for s in spoken]


def score(heard: str, pool: Sequence[Candidate], meaning: PairSimilarity | None = None) -> list[Scored]:
    """Every candidate scored against the heard words, best first (meaning, when given, for
    the `MEANING_TOP` best by form only; the rest keep their form). The same as `sound` and
    `spelling` pair by pair, computed for the whole pool at once (rapidfuzz's ``cdist``)."""
    from rapidfuzz import process

    said = plain(heard)
    if not said or not pool:
        return []
    pool = tuple(pool)
    spoken, joined, keys = _views(pool)
    said_joined, said_key = said.replace(" ", ""), _key(said)
    spelt = process.cdist([said], spoken, scorer=fuzz.ratio)[0]
    spelt_joined = process.cdist([said_joined], joined, scorer=fuzz.ratio)[0]
    sounds = process.cdist([said_key], keys, scorer=fuzz.ratio)[0] if said_key else None
    scored = []
    for i, c in enumerate(pool):
        same_letters = said_joined == joined[i]
        snd = 1.0 if same_letters else (float(sounds[i]) / 100.0 if sounds is not None and keys[i] else 0.0)
        spl = max(float(spelt[i]), float(spelt_joined[i])) / 100.0
        scored.append(Scored(c, snd, spl))
    scored.sort(key=lambda s: s.score, reverse=True)
    if meaning is not None and scored:
        top = scored[:MEANING_TOP]
        cosines = meaning([(said, s.candidate.spoken) for s in top])
        scored = [Scored(s.candidate, s.sound, s.spelling, float(m)) for s, m in zip(top, cosines)] + [
            Scored(s.candidate, s.sound, s.spelling, None) for s in scored[MEANING_TOP:]]
        scored.sort(key=lambda s: s.score, reverse=True)
    return scored
