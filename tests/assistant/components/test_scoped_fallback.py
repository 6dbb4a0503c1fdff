"""The fallback classifier that lets a clear out-of-scope reading through."""

from __future__ import annotations

from rasa.shared.nlu.training_data.message import Message

from assistant.components.scoped_fallback import ScopedFallbackClassifier, clear_out_of_scope


def _message(*ranking: tuple[str, float], text: str = "x") -> Message:
    ranked = [{"name": name, "confidence": confidence} for name, confidence in ranking]
    return Message(data={"text": text, "intent": ranked[0], "intent_ranking": ranked})


def _classifier(margin: float = 0.1, nearest: bool = False) -> ScopedFallbackClassifier:
    config = {**ScopedFallbackClassifier.get_default_config(), "threshold": 0.35, "ambiguity_threshold": 0.05,
              "out_of_scope_margin": margin, "nearest_out_of_scope": nearest}
    return ScopedFallbackClassifier(config)


def _intent(message: Message) -> str:
    return message.get("intent")["name"]


def test_a_clear_out_of_scope_reading_passes_under_the_threshold() -> None:
    message = _message(("out_of_scope", 0.3), ("help", 0.15), ("greet", 0.1))
    _classifier().process([message])
    assert _intent(message) == "out_of_scope"


def test_a_close_out_of_scope_reading_falls_back() -> None:
    message = _message(("out_of_scope", 0.3), ("play_media", 0.25))
    _classifier().process([message])
    assert _intent(message) == "nlu_fallback"
    assert message.get("intent_ranking")[1]["name"] == "out_of_scope"   # Rasa's ranking kept under it


def test_any_other_intent_under_the_threshold_falls_back_as_in_rasa() -> None:
    message = _message(("play_media", 0.3), ("out_of_scope", 0.05))
    _classifier().process([message])
    assert _intent(message) == "nlu_fallback"


def test_a_confident_intent_passes_and_close_ones_fall_back() -> None:
    confident = _message(("turn_on", 0.8), ("turn_off", 0.1))
    close = _message(("turn_on", 0.5), ("turn_off", 0.48))
    _classifier().process([confident, close])
    assert _intent(confident) == "turn_on"
    assert _intent(close) == "nlu_fallback"


def test_the_margin_is_the_lead_over_the_next_intent() -> None:
    assert clear_out_of_scope([("out_of_scope", 0.3), ("help", 0.2)], 0.1)
    assert not clear_out_of_scope([("out_of_scope", 0.3), ("help", 0.21)], 0.1)
    assert clear_out_of_scope([("out_of_scope", 0.12)], 0.1)
    assert not clear_out_of_scope([("help", 0.9), ("out_of_scope", 0.05)], 0.1)
    assert not clear_out_of_scope([], 0.1)


def test_an_unsure_request_nearest_to_an_out_of_scope_example_is_out_of_scope() -> None:
    from assistant.components.linear_intent_classifier import NEAREST_EXAMPLE

    def unsure(nearest: str) -> Message:
        message = _message(("ask_weather", 0.3), ("out_of_scope", 0.25), ("greet", 0.2))
        message.set(NEAREST_EXAMPLE, nearest)
        return message

    read, other, sure, switched_off = unsure("out_of_scope"), unsure("greet"), unsure("out_of_scope"), unsure("out_of_scope")
    sure.set("intent", {"name": "ask_weather", "confidence": 0.9})
    sure.set("intent_ranking", [{"name": "ask_weather", "confidence": 0.9}, {"name": "out_of_scope", "confidence": 0.1}])
    _classifier(nearest=True).process([read, other, sure])
    _classifier(nearest=False).process([switched_off])
    assert read.get("intent") == {"name": "out_of_scope", "confidence": 0.25}   # the classifier's confidence
    assert [r["name"] for r in read.get("intent_ranking")] == ["out_of_scope", "ask_weather", "greet"]
    assert read.get("read_by_nearest_example") is True
    assert _intent(other) == "nlu_fallback"           # nearest to an intent of the home's: still unsure
    assert _intent(sure) == "ask_weather"             # a sure reading is never second-guessed
    assert _intent(switched_off) == "nlu_fallback"    # Rasa's fallback when the option is off
    assert read.get("read_as_statement") is None


def test_a_statement_of_taste_that_would_fall_back_is_read_as_one() -> None:
    message = _message(("play_media", 0.3), ("state_preference", 0.2), text="pop it's ok")
    _classifier().process([message])
    assert message.get("intent") == {"name": "state_preference", "confidence": 1.0}
    assert [r["name"] for r in message.get("intent_ranking")] == ["state_preference", "play_media"]
    assert message.get("read_as_statement") is True


def test_a_statement_understood_keeps_the_classifiers_reading() -> None:
    message = _message(("play_media", 0.8), ("state_preference", 0.1), text="love me some queen")
    _classifier().process([message])
    assert message.get("intent") == {"name": "play_media", "confidence": 0.8}


def test_words_not_worded_as_taste_still_fall_back() -> None:
    message = _message(("play_media", 0.25), ("state_preference", 0.2), text="play the best of adele")
    _classifier().process([message])
    assert _intent(message) == "nlu_fallback"


def test_a_request_to_play_is_never_read_as_a_statement() -> None:
    close = _message(("play_media", 0.48), ("state_preference", 0.43), ("out_of_scope", 0.06),
                     text="please play my favorite song by bruno mars")
    ahead = _message(("state_preference", 0.6), ("play_media", 0.3), ("stop", 0.1),
                     text="play my most favorite country song")
    torn = _message(("state_preference", 0.6), ("play_media", 0.14), ("stop", 0.13), ("turn_on", 0.13),
                    text="play it in the kitchen")
    wish = _message(("state_preference", 0.55), ("play_media", 0.25), ("out_of_scope", 0.2),
                    text="i need to hear some jazz now")
    _classifier().process([close, ahead, torn, wish])
    assert _intent(close) == "play_media"                      # no longer too close to call
    # The request is judged on the rest of the ranking, as the classifier would read it had it
    # known that this is no statement: its confidences are those of the intents that remain.
    assert [(r["name"], round(r["confidence"], 3)) for r in ahead.get("intent_ranking")] == [
        ("play_media", 0.75), ("stop", 0.25)]
    assert _intent(ahead) == "play_media"
    assert _intent(torn) == "nlu_fallback"                     # 0.35 against 0.325: still too close to call
    assert _intent(wish) == "play_media"                       # a wish to hear something now is a request


def test_keeping_a_value_among_favourites_is_still_a_statement() -> None:
    message = _message(("state_preference", 0.7), ("play_media", 0.2), text="put jazz on my favourites")
    _classifier().process([message])
    assert _intent(message) == "state_preference"
