"""Check a preference value against the catalogs: the canonical value, or a helpful reprompt."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.catalog import load_catalog
from assistant.prefs.keys import COFFEE_AFTER_ALARM, MORNING_ROUTINES, NO_ROUTINE, PrefKey
from assistant.text import SLIPPED_WORDS, closest_spelling, without_disfluencies

MAX_ECHO = 40
# An answer this many words long that names nothing is a sentence, not a value misspelt.
SENTENCE_WORDS = 4

UNIT_WORDS = {"c": "celsius", "celsius": "celsius", "centigrade": "celsius", "metric": "celsius",
              "f": "fahrenheit", "fahrenheit": "fahrenheit", "imperial": "fahrenheit"}
NO_ROUTINE_WORDS = ("none", "nothing", "no routine", "no", "nope")
FILLER = ("the", "a", "an", "music", "food", "cuisine", "restaurants", "restaurant", "in", "team", "please")


@dataclass(frozen=True)
class Checked:
    """The canonical catalog value (None when not accepted), a suggestion, and a message."""

    value: str | None
    suggestion: str | None = None
    message: str = ""
    by_sound: bool = False   # the suggestion is what the words sound like, not a spelling of it


def check_value(key: PrefKey, raw: str) -> Checked:
    """Accept a value for ``key`` if the catalogs know it; otherwise say why, suggesting the
    closest known value when there is one ("Did you mean the Golden State Warriors?")."""
    text = _clean(raw)
    if not text:
        return Checked(None, message=f"I didn't catch {_a(key)}.")
    options = _options(key)
    if key is PrefKey.HOME_CITY:
        return _check_city(raw, text)
    if key is PrefKey.TEMPERATURE_UNIT:
        unit = UNIT_WORDS.get(text.replace("°", "").replace("degrees ", "").strip())
        if unit:
            return Checked(unit)
    if key is PrefKey.MORNING_ROUTINE:
        if "coffee" in text:
            return Checked(COFFEE_AFTER_ALARM)
        if text in NO_ROUTINE_WORDS:
            return Checked(NO_ROUTINE)
    found = _exact(text, options)
    if found:
        return Checked(options[found])
    return _unknown(key, raw, text, options)


# Tastes a statement may name, where a sound-alike is looked for (a home city only beside
# words that say it is home: "i live in see at all").
HEARD_KEYS = (PrefKey.MUSIC_GENRE, PrefKey.MUSIC_ARTIST, PrefKey.SPORTS_TEAM, PrefKey.CUISINE)


def heard_like(text: str) -> tuple[PrefKey, str] | None:
    """The one catalog value a statement's words sound or are spelled like, when none is said
    outright ("i really enjoy ray gay" -> reggae, "i'm a war yours fan" -> the Golden State
    Warriors, "i live in see at all" -> Seattle): a question to ask, never a value to store."""
    from assistant.prefs.heard import ANSWER_FLOOR, heard_value, keys_named
    from assistant.prefs.statements import HOME_CUES, declares_home

    if declares_home(text):   # "i live in awesome, texas": the words say which catalog, as a question's do
        found = heard_value(text, (PrefKey.HOME_CITY,), floor=ANSWER_FLOOR)
        return None if found is None else (found.key, found.value)
    keys = HEARD_KEYS + ((PrefKey.HOME_CITY,) if HOME_CUES.search(_clean(text)) else ())
    found = heard_value(text, keys_named(text, keys))
    return None if found is None else (found.key, found.value)


def spellings(key: PrefKey) -> dict[str, str]:
    """The spellings (normalized) a value of ``key`` is said by -> its canonical value; a home
    city also by its name alone where no other city has it ("seattle")."""
    options = _options(key)
    if key is PrefKey.HOME_CITY:
        cities = load_catalog().cities
        names = [c.name.lower() for c in cities]
        options = options | {c.name.lower(): c.label for c in cities if names.count(c.name.lower()) == 1}
    return options


def _options(key: PrefKey) -> dict[str, str]:
    """Accepted spellings (normalized) -> canonical value."""
    catalog = load_catalog()
    if key is PrefKey.MUSIC_GENRE:
        return {_clean(g): g for g in catalog.genres} | {"hip-hop": "hip hop", "hiphop": "hip hop"}
    if key is PrefKey.MUSIC_ARTIST:
        return {_clean(a.name): a.name for a in catalog.artists}
    if key is PrefKey.SPORTS_TEAM:
        names: dict[str, str] = {}
        for team in catalog.teams:
            names[_clean(team.name)] = team.name
            names[_clean(team.short)] = team.name
        return names
    if key is PrefKey.CUISINE:
        return {c: c for c in catalog.cuisines}
    if key is PrefKey.TEMPERATURE_UNIT:
        return {u: u for u in catalog.temperature_units}
    if key is PrefKey.NEWS_SOURCE:
        names = {_clean(n): n for n in catalog.news_sources}
        for name in catalog.news_sources:
            words = _clean(name).split()
            if words and words[0] == "the":  # "new york times", "guardian"
                words = words[1:]
                names.setdefault(" ".join(words), name)
            if words:  # "bbc"
                names.setdefault(words[0], name)
        return names
    if key is PrefKey.MORNING_ROUTINE:
        return {r: r for r in MORNING_ROUTINES}
    return {c.label.lower(): c.label for c in catalog.cities}


def _check_city(raw: str, text: str) -> Checked:
    catalog = load_catalog()
    words = [w for w in text.replace(",", " ").split() if w not in SLIPPED_WORDS] or text.split()
    joined = " ".join(words)
    for city in catalog.cities:
        name, region = city.name.lower(), city.region.lower()
        if joined in (f"{name} {region}", f"{name} in {region}"):
            return Checked(city.label)
    same = [c for c in catalog.cities if c.name.lower() == joined]
    if len(same) == 1:
        return Checked(same[0].label)
    if len(same) > 1:
        labels = [c.label for c in same]
        return Checked(None, message=f"Which {same[0].name}: {' or '.join(labels)}?")
    names = [c.name for c in catalog.cities]   # a name no other city has suggests the city itself
    return _unknown(PrefKey.HOME_CITY, raw, text,
                    {c.name.lower(): c.label if names.count(c.name) == 1 else c.name for c in catalog.cities})


def _exact(text: str, options: dict[str, str]) -> str | None:
    if text in options:
        return text
    stripped = " ".join(w for w in text.split() if w not in FILLER)
    return stripped if stripped in options else None


def _unknown(key: PrefKey, raw: str, text: str, options: dict[str, str]) -> Checked:
    shown = _echo(raw)
    stripped = " ".join(w for w in text.split() if w not in FILLER) or text
    close = closest_spelling(stripped, options, cutoff=0.75)
    suggestion = options[close] if close is not None else _sounds_like(key, stripped)
    if suggestion is not None:
        article = "the " if key is PrefKey.SPORTS_TEAM else ""
        return Checked(None, suggestion, f"I don't know the {key.label} '{shown}'. Did you mean {article}{suggestion}?",
                       by_sound=close is None)
    known = sorted(set(options.values()))
    listed = ", ".join(known[:10]) + (", ..." if len(known) > 10 else "")
    if len(text.split()) >= SENTENCE_WORDS:   # "should i bring warm clothes" is no name to echo back
        return Checked(None, None, f"That doesn't sound like {_a(key)}. I know: {listed}.")
    return Checked(None, None, f"I don't know the {key.label} '{shown}'. I know: {listed}.")


def _sounds_like(key: PrefKey, text: str) -> str | None:
    """The one value of ``key`` an answer sounds like ("thigh" -> thai), or None when the
    answer names a value outright ("whatever, jazz is fine": that value is the answer)."""
    from assistant.prefs.heard import ANSWER_FLOOR, heard_value

    if names_outright(text, key):
        return None
    found = heard_value(text, (key,), ANSWER_FLOOR)
    return None if found is None else found.value


def names_outright(text: str, key: PrefKey) -> bool:
    """Whether ``text`` says a spelling of one of ``key``'s values, word for word."""
    padded = f" {' '.join(re.findall(r'[a-z0-9]+', text.lower()))} "
    return any(f" {' '.join(re.findall(r'[a-z0-9]+', spelling))} " in padded for spelling in spellings(key))


def _clean(raw: str) -> str:
    """Lower case, printable, single spaces, no surrounding punctuation, no "um" or "uh" as a
    word of its own (an answer heard as "greek um" names greek)."""
    text = "".join(ch if ch.isprintable() else " " for ch in str(raw)[:500]).lower()
    text = re.sub(r"[^\w\s,°'&-]", " ", text)
    return without_disfluencies(" ".join(text.split()).strip(" ,'-")).strip(" ,'-")


def _a(key: PrefKey) -> str:
    """The key's label with its article ("a music genre", "an artist")."""
    return ("an " if key.label[0] in "aeiou" else "a ") + key.label


def _echo(raw: str) -> str:
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in str(raw)).split())
    return text if len(text) <= MAX_ECHO else text[:MAX_ECHO - 1] + "…"
