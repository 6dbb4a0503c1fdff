"""How the heard words look, for telling a mishearing from a request the NLU missed.

A recogniser writes words the speaker never said: non-words ("coughy"), words that sound like
one the assistant knows but are not it ("seltics"), and one word split in pieces ("class
ical", "japan ease"). People who are understood wrongly say real words. So, per heard text:

- ``nonwords``: words neither in the assistant's vocabulary nor whole words of the sentence
  encoder's English WordPiece vocabulary (digits aside), as a count and a share;
- ``vocab_sound_alike``: unknown words that sound like a known one (same metaphone key);
- ``joined_word``: two or three neighbouring words that, written together, are a known word
  or sound like one (other than the pieces themselves);
- ``rare_words``: words the assistant does not know that English hardly ever writes either
  (wordfreq's Zipf frequency under RARE_ZIPF: "coughy", "seltics"), as a count and a share,
  and the lowest such frequency (``unknown_min_zipf``). Real people's wording brings words the
  assistant never learnt ("awfully", "psychedelia"), but English writes them: the encoder's
  WordPiece list alone took them for non-words.

A recogniser also drops words, which leaves a sentence with a gap no speaker leaves:

- ``dangling_end``: the text ends on a word that needs one after it ("get me a", "turn on the",
  "is it snowing in");
- ``unit_without_number``: a unit with no number before it ("raise the lights to percent"),
  or "am"/"pm" right after "at" ("wake me up at am").

And for context resolution, the rooms the text and the reply name.
"""

from __future__ import annotations

import functools
import json
from typing import Any, Mapping

import jellyfish

from assistant.services import timeparse
from assistant.services.resolution import room_in
from assistant.text import tokens

MIN_SOUND = 4     # shorter words share metaphone keys by chance
MIN_JOINED = 6
RARE_ZIPF = 1.5   # wordfreq's Zipf scale: 1.5 is about once in 30 million words
# Words English does not end a request on: articles and possessives wait for a noun,
# prepositions for their object, conjunctions for what they join.
NEEDS_NEXT = frozenset({"a", "an", "the", "some", "any", "my", "your", "our", "their", "to", "of", "in",
                        "at", "for", "with", "from", "by", "into", "onto", "and", "or"})
UNITS = frozenset({"percent", "degrees", "degree", "minutes", "minute", "hours", "hour", "seconds"})
# "am" is also a verb ("i am cold"): a time of day only right after a word that introduces one.
TIME_MARKS = frozenset({"am", "pm"})
BEFORE_TIME = frozenset({"at", "for", "by", "until", "till", "to"})
# The numbers the assistant's time parser reads, and a few more that may stand before a unit.
NUMBER_WORDS = frozenset(timeparse.NUMBER_WORDS) | {"seventy", "eighty", "hundred", "half", "few"}


@functools.lru_cache(maxsize=1)
def encoder_words() -> frozenset[str]:
    """The whole words (no ``##`` pieces) of the packaged MiniLM's WordPiece vocabulary (the
    package is a dependency the NLU needs too: no fallback that would change the features)."""
    from assistant.embeddings import model_path

    vocab = json.loads((model_path() / "tokenizer.json").read_text(encoding="utf-8"))["model"]["vocab"]
    return frozenset(w for w in vocab if w.isalpha() and not w.startswith("##"))


def english_zipf(word: str) -> float:
    """How often English writes ``word``, on wordfreq's Zipf scale (0: never seen, 3: once in a
    million words, 7: "the")."""
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, "en"))


@functools.lru_cache(maxsize=4)
def sound_keys(vocab: frozenset[str]) -> dict[str, frozenset[str]]:
    """Metaphone key -> the known words with that sound (words of at least MIN_SOUND letters)."""
    keys: dict[str, set[str]] = {}
    for word in vocab:
        if len(word) >= MIN_SOUND and word.isalpha():
            keys.setdefault(jellyfish.metaphone(word), set()).add(word)
    return {key: frozenset(words) for key, words in keys.items()}


def word_shape(text: str, vocab: frozenset[str]) -> dict[str, float]:
    """The non-word, sound-alike, joined-word and rare-word features of one heard text."""
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
    strange = [english_zipf(w) for w in words if w not in vocab and not w.isdigit()]
    rare = [z for z in strange if z < RARE_ZIPF]
    return {"nonwords": float(len(unknown)), "nonword_rate": len(unknown) / len(words) if words else 0.0,
            "vocab_sound_alike": float(len(alike)), "joined_word": float(joined),
            "rare_words": float(len(rare)), "rare_word_rate": len(rare) / len(words) if words else 0.0,
            "unknown_min_zipf": min(strange, default=8.0)}


def gaps(text: str) -> dict[str, float]:
    """The dropped-word features of one heard text (see the module's docstring)."""
    words = tokens(text)
    before = [""] + words[:-1]
    bare_unit = any((w in UNITS and not (b[:1].isdigit() or b in NUMBER_WORDS)) or (w in TIME_MARKS and b in BEFORE_TIME)
                    for w, b in zip(words, before))
    return {"dangling_end": float(bool(words) and words[-1] in NEEDS_NEXT),
            "unit_without_number": float(bare_unit)}


def room_features(text: str, reply: str, context: Mapping[str, Any] | None) -> dict[str, float]:
    """Whether the request names a room, whether it is not the speaking device's, and whether
    the reply names a room the request did not (it resolved to another place). Rooms are found
    as the assistant's own target resolution finds them (`services.resolution.room_in`)."""
    said, answered = room_in(text), room_in(reply)
    here = context.get("room") if isinstance(context, Mapping) else None
    return {"text_names_room": float(said is not None),
            "text_room_elsewhere": float(said is not None and said != here),
            "reply_room_not_said": float(answered is not None and answered != said)}
