"""How the heard words look, for telling a mishearing from a request the NLU missed.

A recogniser writes words the speaker never said: non-words ("coughy"), words that sound like
one the assistant knows but are not it ("seltics"), and one word split in pieces ("class
ical", "japan ease"). People who are understood wrongly say real words. So, per heard text:

- ``nonwords``: words neither in the assistant's vocabulary nor whole words of the sentence
  encoder's English WordPiece vocabulary (digits aside), as a count and a share;
- ``vocab_sound_alike``: unknown words that sound like a known one (same metaphone key);
- ``joined_word``: two or three neighbouring words that, written together, are a known word
  or sound like one (other than the pieces themselves).

And for context resolution, the rooms the text and the reply name.
"""

from __future__ import annotations

import functools
import json
from typing import Any, Mapping

import jellyfish

from assistant.services.resolution import room_in
from assistant.text import tokens

MIN_SOUND = 4     # shorter words share metaphone keys by chance
MIN_JOINED = 6


@functools.lru_cache(maxsize=1)
def encoder_words() -> frozenset[str]:
    """The whole words (no ``##`` pieces) of the packaged MiniLM's WordPiece vocabulary (the
    package is a dependency the NLU needs too: no fallback that would change the features)."""
    from assistant.embeddings import model_path

    vocab = json.loads((model_path() / "tokenizer.json").read_text(encoding="utf-8"))["model"]["vocab"]
    return frozenset(w for w in vocab if w.isalpha() and not w.startswith("##"))


@functools.lru_cache(maxsize=4)
def sound_keys(vocab: frozenset[str]) -> dict[str, frozenset[str]]:
    """Metaphone key -> the known words with that sound (words of at least MIN_SOUND letters)."""
    keys: dict[str, set[str]] = {}
    for word in vocab:
        if len(word) >= MIN_SOUND and word.isalpha():
            keys.setdefault(jellyfish.metaphone(word), set()).add(word)
    return {key: frozenset(words) for key, words in keys.items()}


def word_shape(text: str, vocab: frozenset[str]) -> dict[str, float]:
    """The non-word, sound-alike and joined-word features of one heard text."""
    english = encoder_words()
    words = tokens(text)
    keys = sound_keys(vocab)
    unknown = [w for w in words if w not in vocab and w not in english and not w.isdigit()]
    alike = [w for w in words if len(w) >= MIN_SOUND and w not in vocab and jellyfish.metaphone(w) in keys]
    joined = 0
    for size in (2, 3):
        for start in range(len(words) - size + 1):
            pieces = words[start:start + size]
            whole = "".join(pieces)
            if len(whole) < MIN_JOINED:
                continue
            if whole in vocab or keys.get(jellyfish.metaphone(whole), frozenset()) - set(pieces):
                joined += 1
    return {"nonwords": float(len(unknown)), "nonword_rate": len(unknown) / len(words) if words else 0.0,
            "vocab_sound_alike": float(len(alike)), "joined_word": float(joined)}


def room_features(text: str, reply: str, context: Mapping[str, Any] | None) -> dict[str, float]:
    """Whether the request names a room, whether it is not the speaking device's, and whether
    the reply names a room the request did not (it resolved to another place). Rooms are found
    as the assistant's own target resolution finds them (`services.resolution.room_in`)."""
    said, answered = room_in(text), room_in(reply)
    here = context.get("room") if isinstance(context, Mapping) else None
    return {"text_names_room": float(said is not None),
            "text_room_elsewhere": float(said is not None and said != here),
            "reply_room_not_said": float(answered is not None and answered != said)}
