from __future__ import annotations

from assistant.catalog import load_catalog
from assistant.services.restaurants import cuisine_named, suggest


def test_every_cuisine_has_restaurants() -> None:
    catalog = load_catalog()
    assert sorted(catalog.restaurants) == sorted(catalog.cuisines)
    assert all(catalog.restaurants[c] for c in catalog.cuisines)


def test_cuisine_named() -> None:
    assert cuisine_named("find me an Italian place") == "italian"
    assert cuisine_named("find a restaurant") is None


def test_suggest_by_cuisine() -> None:
    assert suggest("thai").sentence() == "For Thai food, try Bangkok Garden or Thai Basil."


def test_suggest_without_cuisine_avoids_dislikes() -> None:
    plain = suggest(None)
    assert plain.sentence() == "Some places nearby: Trattoria Roma, Casa Azul or Golden Dragon."
    assert "Trattoria Roma" not in suggest(None, avoid=("italian",)).names
