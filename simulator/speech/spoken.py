"""The spoken form of a sentence: the words a voice says and a recogniser writes.

Both sides of every comparison go through `spoken_form`, so "7:30 am" said and "seven thirty am"
heard are the same words, and "what's" keeps its apostrophe on both sides.
"""

from __future__ import annotations

import functools
import re
from typing import Any

_TIME = re.compile(r"\b(\d{1,2}):(\d{2})\b")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_SYMBOLS = {"%": " percent ", "°": " degrees ", "&": " and ", "+": " plus ", "@": " at "}
_NOT_SPOKEN = re.compile(r"[^\w\s']|(?<!\w)'|'(?!\w)|_")
MAX_WORDS = 80     # longer input is cut: nobody says more to a speaker in one breath


@functools.lru_cache(maxsize=1)
def _engine() -> Any:
    from unicode_rbnf import RbnfEngine

    return RbnfEngine.for_language("en")


def number_words(number: str) -> str:
    """"22" -> "twenty two"; "2.5" -> "two point five"."""
    value: float | int = float(number) if "." in number else int(number)
    return _engine().format_number(value).text.replace("-", " ").replace(",", "")


def _time_words(match: re.Match[str]) -> str:
    hour, minute = int(match.group(1)), int(match.group(2))
    if minute == 0:
        return number_words(str(hour))
    if minute < 10:
        return f"{number_words(str(hour))} oh {number_words(str(minute))}"
    return f"{number_words(str(hour))} {number_words(str(minute))}"


def spoken_form(text: str, max_words: int | None = MAX_WORDS) -> str:
    """Lower case words as said aloud: numbers and times in words, symbols spoken, no punctuation."""
    spoken = text.lower().replace("’", "'").replace("1/2", " half ")
    spoken = _TIME.sub(_time_words, spoken)
    for symbol, words in _SYMBOLS.items():
        spoken = spoken.replace(symbol, words)
    spoken = _NUMBER.sub(lambda m: f" {number_words(m.group(0))} ", spoken)
    spoken = _NOT_SPOKEN.sub(" ", spoken)
    return " ".join(spoken.split()[:max_words])


def spoken_words(text: str) -> list[str]:
    return spoken_form(text).split()
