"""A simulated weather service: deterministic forecasts for the catalog's cities."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass

from assistant.catalog import City, load_catalog
from assistant.services.text_match import find_phrase
from assistant.text import closest_spelling

_CLIMATE = {
    "hot": (27, ("sunny", "clear", "hot and sunny")),
    "mild": (18, ("partly cloudy", "sunny", "overcast")),
    "rainy": (13, ("rainy", "drizzly", "cloudy")),
    "cold": (4, ("cold and clear", "snowy", "cloudy")),
}


@dataclass(frozen=True)
class Forecast:
    """One day's weather in one city, in degrees Celsius."""

    city: City
    date: dt.date
    condition: str
    high: int
    low: int

    def sentence(self, when: str = "today", unit: str = "celsius", note: str = "") -> str:
        """ "In Seattle, Washington today: rainy, high of 13 and low of 7 degrees." ``unit``
        "fahrenheit" converts and says so; ``note`` follows the city ("(your home city)")."""
        high, low, unit_words = self.high, self.low, "degrees"
        if unit == "fahrenheit":
            high, low, unit_words = to_fahrenheit(high), to_fahrenheit(low), "degrees Fahrenheit"
        where = f"{self.city.label} {note}".strip()
        return f"In {where} {when}: {self.condition}, high of {high} and low of {low} {unit_words}."


def to_fahrenheit(celsius: float) -> int:
    return round(celsius * 9 / 5 + 32)


def forecast(city: City, date: dt.date) -> Forecast:
    """The same city and date always give the same forecast."""
    base, conditions = _CLIMATE.get(city.climate, _CLIMATE["mild"])
    seed = int(hashlib.sha256(f"{city.label}|{date.isoformat()}".encode()).hexdigest(), 16)
    high = base + seed % 7 - 3
    return Forecast(city, date, conditions[(seed >> 8) % len(conditions)], high, high - 6 - (seed >> 16) % 4)


@dataclass(frozen=True)
class CityLookup:
    """A resolved city, or the candidates to ask about, or nothing found."""

    city: City | None = None
    candidates: tuple[City, ...] = ()
    name: str | None = None

    @property
    def ambiguous(self) -> bool:
        return self.city is None and len(self.candidates) > 1

    def question(self) -> str:
        regions = [c.region for c in self.candidates]
        listed = ", ".join(regions[:-1]) + " or " + regions[-1]
        return f"Which {self.name} do you mean, {listed}?"


def lookup(text: str, *, city: str | None, region: str | None, pending: str | None = None) -> CityLookup:
    """Find the city a request means; same-name cities need a region to decide."""
    catalog = load_catalog()
    names = sorted({c.name for c in catalog.cities})
    # While a "which one?" is pending, the answer names a region ("the one in California").
    heard = None if pending else named_place(text)
    if heard:
        heard = closest_spelling(heard, names, cutoff=0.85) or heard
    name = _canonical(city, names) or find_phrase(text, names) or (city.strip() if city else None) or heard or pending
    if name is None:
        return CityLookup()
    matches = catalog.cities_named(name)
    if not matches:
        return CityLookup(name=name)
    regions = sorted({c.region for c in matches})
    region_name = _canonical(region, regions) or find_phrase(text, regions)
    if region_name:
        chosen = [c for c in matches if c.region == region_name]
        if chosen:
            return CityLookup(city=chosen[0], name=name)
    if len(matches) == 1:
        return CityLookup(city=matches[0], name=name)
    return CityLookup(candidates=tuple(matches), name=name)


# Words after "in"/"for" that are times or the home, not places ("weather in the morning").
_NOT_PLACES = frozenset("""
    the a an my our this that here there home today tomorrow tonight now later weekend week morning afternoon
    evening night monday tuesday wednesday thursday friday saturday sunday general next coming few hour hours
    minute minutes day days moment it degrees celsius fahrenheit
""".split())
_PLACE = re.compile(r"\b(?:in|for)\s+([a-z][a-z' .-]*?)\s*(?=\b(?:today|tomorrow|tonight|this|next|on|right|now"
                    r"|later|please|at|over|during|like|going|will)\b|[?.!,]|$)")


def named_place(text: str) -> str | None:
    """A place the request names after "in" or "for", catalog or not ("weather in Tokyo" -> "Tokyo")."""
    for match in _PLACE.finditer(text.lower()):
        words = match.group(1).split()
        if words and words[0] not in _NOT_PLACES and len(words) <= 3:
            return " ".join(w.capitalize() for w in words)
    return None


# "in my area", "for our town": the home; "in my ami" is a place heard wrong ("Miami").
_MY_PLACE = re.compile(r"\b(?:in|for)\s+(?:my|our)\s+([a-z']+)")
_HOME_WORDS = frozenset("area location city town neighbourhood neighborhood place house home region street yard "
                        "garden side part".split())


def names_a_place(text: str) -> bool:
    """The request names a place, known or not, even one heard wrong ("weather in my ami"): an
    answer for the home's city is then no guess of the user's own."""
    if named_place(text) is not None:
        return True
    found = _MY_PLACE.search(text.lower())
    return found is not None and found.group(1) not in _HOME_WORDS


def suggestion(name: str) -> str:
    """What to offer for a city the service does not know: the closest name, or a few it knows."""
    names = sorted({c.name for c in load_catalog().cities})
    near = closest_spelling(name, names, cutoff=0.75)
    if near:
        return f"Did you mean {near}?"
    return f"I have weather for {', '.join(names[:4])} and {len(names) - 4} other cities."


def home_city() -> City:
    """The home's own city (the default when none is named)."""
    catalog = load_catalog()
    return catalog.cities_named(catalog.home_city)[0]


def city_by_label(label: str) -> City | None:
    """The catalog city with this label ("Wilkerson, California"), or None."""
    return next((c for c in load_catalog().cities if c.label == label), None)


def _canonical(value: str | None, options: list[str]) -> str | None:
    if not value:
        return None
    for option in options:
        if option.lower() == value.strip().lower():
            return option
    return find_phrase(value, options)
