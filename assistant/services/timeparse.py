"""Parse clock times ("7 am", "half past six") and durations ("10 minutes") from text."""

from __future__ import annotations

import re

NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "forty five": 45, "fifty": 50,
    "sixty": 60, "ninety": 90,
}
_NUM = r"(\d+(?:\.\d+)?|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")"


def _number(token: str) -> float:
    return float(token) if token[0].isdigit() else float(NUMBER_WORDS[token])


def parse_clock(text: str) -> str | None:
    """An "HH:MM" 24-hour time named in the text, or None."""
    t = " " + text.lower().replace(".", "") + " "
    if re.search(r"\bnoon\b|\bmidday\b", t):
        return "12:00"
    if re.search(r"\bmidnight\b", t):
        return "00:00"
    if m := re.search(r"\bhalf past " + _NUM + r"\b\s*(am|pm)?", t):
        return _to_24(int(_number(m.group(1))), 30, m.group(2), t)
    if m := re.search(r"\bquarter past " + _NUM + r"\b\s*(am|pm)?", t):
        return _to_24(int(_number(m.group(1))), 15, m.group(2), t)
    if m := re.search(r"\b(\d{1,2}):(\d{2})\s*(am|pm)?", t):
        return _to_24(int(m.group(1)), int(m.group(2)), m.group(3), t)
    if m := re.search(r"\b" + _NUM + r"\s*(am|pm|o ?clock)\b", t):
        suffix = m.group(2) if m.group(2) in ("am", "pm") else None
        return _to_24(int(_number(m.group(1))), 0, suffix, t)
    if m := re.search(r"\b(?:at|for) (\d{1,2})\b(?!\s*(?:min|sec|hour))", t):
        return _to_24(int(m.group(1)), 0, None, t)
    return None


def _to_24(hour: int, minute: int, suffix: str | None, text: str) -> str | None:
    if suffix is None:
        if "evening" in text or "tonight" in text or "afternoon" in text:
            suffix = "pm"
        elif "morning" in text:
            suffix = "am"
    if suffix == "pm" and hour < 12:
        hour += 12
    elif suffix == "am" and hour == 12:
        hour = 0
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return f"{hour:02d}:{minute:02d}"


_UNITS = {"second": 1, "sec": 1, "minute": 60, "min": 60, "hour": 3600, "hr": 3600}


def parse_duration(text: str) -> int | None:
    """A duration in whole seconds named in the text ("1 hour 30 minutes" -> 5400), or None."""
    t = text.lower()
    if re.search(r"\bhalf an hour\b", t):
        return 1800
    total = 0.0
    found = False
    for m in re.finditer(_NUM + r"\s*(?:and a half\s*)?(seconds?|secs?|minutes?|mins?|hours?|hrs?)\b", t):
        unit = re.sub(r"s$", "", m.group(2))
        amount = _number(m.group(1))
        if "and a half" in m.group(0):
            amount += 0.5
        total += amount * _UNITS[unit]
        found = True
    return int(total) if found and total > 0 else None


def format_clock(hhmm: str) -> str:
    """ "07:00" -> "7:00 AM"."""
    hour, minute = (int(x) for x in hhmm.split(":"))
    suffix = "AM" if hour < 12 else "PM"
    return f"{(hour % 12) or 12}:{minute:02d} {suffix}"


def format_duration(seconds: int) -> str:
    """600 -> "10 minutes"."""
    parts = []
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    for amount, unit in ((hours, "hour"), (minutes, "minute"), (secs, "second")):
        if amount:
            parts.append(f"{amount} {unit}{'s' if amount != 1 else ''}")
    return " and ".join(parts) or "0 seconds"
