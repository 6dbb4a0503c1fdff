from __future__ import annotations

import datetime as dt

import pytest

from assistant.services.weather import forecast, home_city, lookup


def test_shared_city_name_is_ambiguous() -> None:
    found = lookup("what's the weather in wilkerson", city="Wilkerson", region=None)
    assert found.ambiguous
    assert found.question() == "Which Wilkerson do you mean, California or Washington?"


def test_region_settles_the_city() -> None:
    found = lookup("washington", city=None, region="Washington", pending="Wilkerson")
    assert found.city is not None and found.city.label == "Wilkerson, Washington"


def test_region_found_in_text_without_entities() -> None:
    found = lookup("the one in california", city=None, region=None, pending="Wilkerson")
    assert found.city is not None and found.city.region == "California"


def test_unique_city() -> None:
    found = lookup("weather in seattle", city=None, region=None)
    assert found.city is not None and found.city.label == "Seattle, Washington"


def test_unknown_city_keeps_its_name() -> None:
    found = lookup("weather in atlantis", city="Atlantis", region=None)
    assert found.city is None and found.name == "Atlantis" and not found.ambiguous


def test_forecast_is_deterministic_and_sane() -> None:
    day = dt.date(2026, 1, 5)
    first, second = forecast(home_city(), day), forecast(home_city(), day)
    assert first == second
    assert first.low < first.high
    assert "Seattle, Washington" in first.sentence()


def test_fahrenheit_converts_both_figures_and_says_so() -> None:
    f = forecast(home_city(), dt.date(2026, 11, 24))
    text = f.sentence("today", "fahrenheit", "(your home city)")
    assert text == (f"In Seattle, Washington (your home city) today: {f.condition}, high of "
                    f"{round(f.high * 9 / 5 + 32)} and low of {round(f.low * 9 / 5 + 32)} degrees Fahrenheit.")
    assert f.sentence() == f"In Seattle, Washington today: {f.condition}, high of {f.high} and low of {f.low} degrees."


def test_city_by_label() -> None:
    from assistant.services.weather import city_by_label

    assert city_by_label("Wilkerson, California").region == "California"
    assert city_by_label("Wilkerson") is None


@pytest.mark.parametrize(("text", "names"), [
    ("what is the weather in my ami", True),      # "Miami" heard wrong
    ("what's the weather in Tokyo", True),
    ("what's the weather like in my area", False),
    ("what's the weather like", False),
    ("is it going to snow tomorrow", False),
    ("weather in the morning", False),
])
def test_names_a_place(text: str, names: bool) -> None:
    from assistant.services.weather import names_a_place

    assert names_a_place(text) is names
