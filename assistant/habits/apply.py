"""Implicit preferences as the actions use and list them: stated ones first, inferred ones
marked as such."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Sequence

from assistant.prefs.keys import Polarity, PrefKey, Source

if TYPE_CHECKING:
    from assistant.habits.store import Concept
    from assistant.prefs.store import Correction, Preference

INFERRED_NOTE = " (inferred from what you do)"


def preferred(prefs: Sequence["Preference"], keys: Sequence[PrefKey]) -> tuple[str | None, bool]:
    """The liked value to use among ``keys`` (in order) and whether it was inferred: any stated
    value beats every inferred one; the most recently updated first."""
    for inferred in (False, True):
        for key in keys:
            values = [p.value for p in reversed(list(prefs)) if p.key is key and p.polarity is Polarity.LIKE
                      and (p.source is Source.IMPLICIT) == inferred]
            if values:
                return values[0], inferred
    return None, False


def summary(prefs: Iterable["Preference"], corrections: Iterable["Correction"] = (),
            concepts: Iterable["Concept"] = ()) -> str:
    """What the assistant knows about a user in one sentence: stated preferences, inferred ones
    (marked), corrections and taught phrases."""
    from assistant.habits.concepts import describe_steps
    from assistant.services import preferences

    prefs, corrections, concepts = list(prefs), list(corrections), list(concepts)
    stated = [p for p in prefs if p.source is not Source.IMPLICIT]
    inferred = [p for p in prefs if p.source is Source.IMPLICIT]
    if not inferred and not concepts:
        return preferences.summary(stated, corrections)
    parts = [preferences.phrase(p) for p in stated]
    parts += [preferences.phrase(p) + INFERRED_NOTE for p in inferred]
    parts += [f"when you say \"{c.said}\" you mean \"{c.meant}\"" for c in corrections]
    parts += [f"\"{c.name}\" means: {describe_steps(c.steps)}" for c in concepts]
    return "Here's what I know about you: " + preferences.join(parts) + "."
