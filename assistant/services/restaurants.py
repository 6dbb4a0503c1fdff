"""Restaurant suggestions from the catalog, by cuisine."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.catalog import load_catalog
from assistant.services.text_match import find_phrase


@dataclass(frozen=True)
class Suggestion:
    """Restaurants for a cuisine, or for none in particular."""

    cuisine: str | None
    names: tuple[str, ...]

    def sentence(self) -> str:
        listed = ", ".join(self.names[:-1]) + " or " + self.names[-1] if len(self.names) > 1 else self.names[0]
        if self.cuisine is None:
            return f"Some places nearby: {listed}."
        return f"For {self.cuisine.title()} food, try {listed}."


def cuisine_named(text: str) -> str | None:
    """A catalog cuisine named in the text ("an Italian place"), or None."""
    return find_phrase(text, load_catalog().cuisines)


def suggest(cuisine: str | None, avoid: tuple[str, ...] = ()) -> Suggestion:
    """Restaurants of the cuisine; with none, one place of each cuisine not avoided (up to three)."""
    catalog = load_catalog()
    if cuisine in catalog.restaurants:
        return Suggestion(cuisine, catalog.restaurants[cuisine])
    names = tuple(places[0] for kind, places in catalog.restaurants.items() if kind not in avoid)
    return Suggestion(None, names[:3])
