"""ScopedFallbackClassifier: Rasa's FallbackClassifier, except for a clear "out of scope".

A request for a whole skill the home lacks ("check my inbox", "define ubiquitous") is spread by
the classifier over many unlike examples, so its out-of-scope confidence is often under the
fallback threshold although no intent of the home's comes near it. Rasa's FallbackClassifier then
answers "I didn't understand", where "I can't do that" is the true answer. Here an out-of-scope
reading that leads the next intent by at least ``out_of_scope_margin`` is let through whatever its
confidence; every other reading is judged as Rasa's FallbackClassifier judges it. The margin was
set on SLURP devel (docs/RESULTS.md, issue 30).

With ``nearest_out_of_scope``, a request that would fall back and whose single nearest training
example (by MiniLM: the classifier's `NEAREST_EXAMPLE`) is out of scope is read as out of scope, with
the classifier's own confidence in it (the parse is marked ``read_by_nearest_example``). Nearest to
an intent of the home's, it still falls back: that reading would be confidently wrong three times in
four on SLURP devel, where this one is right 25 times for once wrong.

A request that would fall back but is worded as a statement of taste ("pop it's ok", "remember
miles davis for next time": `assistant.prefs.statements.declares_taste`, its words alone) is read
as ``state_preference`` instead: the preference action then finds the value in it, asks about a
sound-alike, or says the fallback's "Sorry, I didn't understand that" when the words name nothing
the catalogs know (the parse is marked ``read_as_statement`` for it). The other way round, a
request that starts with a verb of playing, or with a wish to hear something now ("please play my
favourite song by bruno mars", "i need to hear some jazz": `assistant.prefs.statements.asks_to_play`)
declares no taste, so ``state_preference`` is taken out of its ranking before the fallback is judged,
and the other intents' confidences are divided by what it leaves (the classifier's reading, given that
this is no statement): it no longer outranks the request, nor leaves it too close to call.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from assistant.components.linear_intent_classifier import NEAREST_EXAMPLE

MARGIN_KEY = "out_of_scope_margin"
NEAREST_KEY = "nearest_out_of_scope"
READ_BY_NEAREST = "read_by_nearest_example"   # in the parse: the fallback's reading, given to out of scope
OUT_OF_SCOPE = "out_of_scope"
STATEMENT = "state_preference"
READ_AS_STATEMENT = "read_as_statement"   # in the parse: the fallback's reading, given to the statement


def clear_out_of_scope(ranking: list[tuple[str, float]], margin: float) -> bool:
    """The classifier's ranking (intent, confidence), best first, reads out of scope and leads
    the next intent by at least ``margin``."""
    if not ranking or ranking[0][0] != OUT_OF_SCOPE:
        return False
    second = ranking[1][1] if len(ranking) > 1 else 0.0
    return ranking[0][1] - second >= margin - 1e-9   # 0.3 - 0.2 is 0.0999... in floats


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class ScopedFallbackClassifier(FallbackClassifier):
    """The fallback classifier that lets a clear out-of-scope reading through."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**FallbackClassifier.get_default_config(), MARGIN_KEY: 0.1, NEAREST_KEY: False}

    def _should_fallback(self, message: Message) -> bool:
        ranking = [(str(r.get(INTENT_NAME_KEY)), float(r.get(PREDICTED_CONFIDENCE_KEY) or 0.0))
                   for r in message.data.get(INTENT_RANKING_KEY) or []]
        if not ranking:
            intent = message.data.get(INTENT) or {}
            ranking = [(str(intent.get(INTENT_NAME_KEY)), float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0))]
        if clear_out_of_scope(ranking, float(self.component_config[MARGIN_KEY])):
            return False
        return super()._should_fallback(message)

    def process(self, messages: List[Message]) -> List[Message]:
        from assistant.prefs.statements import asks_to_play, declares_taste

        for message in messages:
            text = str(message.get(TEXT) or "")
            if asks_to_play(text):
                _without_statement(message)
            unsure = self._should_fallback(message)
            if unsure and declares_taste(text):
                _read_as_statement(message)
            elif unsure and self.component_config[NEAREST_KEY] and message.get(NEAREST_EXAMPLE) == OUT_OF_SCOPE:
                _read_as_out_of_scope(message)
            else:
                super().process([message])
        return messages


def _read_as_statement(message: Message) -> None:
    """The parse as a statement of taste, ranked first and sure, the classifier's ranking after it."""
    _read_as(message, {INTENT_NAME_KEY: STATEMENT, PREDICTED_CONFIDENCE_KEY: 1.0}, READ_AS_STATEMENT)


def _read_as_out_of_scope(message: Message) -> None:
    """The parse as out of scope, with the classifier's confidence in it, ranked first."""
    found = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) == OUT_OF_SCOPE]
    _read_as(message, found[0] if found else {INTENT_NAME_KEY: OUT_OF_SCOPE, PREDICTED_CONFIDENCE_KEY: 0.0},
             READ_BY_NEAREST)


def _read_as(message: Message, intent: Dict[Text, Any], mark: str) -> None:
    """The parse as ``intent``, ranked first over the classifier's other readings, marked ``mark``."""
    name = intent[INTENT_NAME_KEY]
    ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != name]
    message.set(INTENT, intent, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [intent, *ranking], add_to_output=True)
    message.set(mark, True, add_to_output=True)


def _without_statement(message: Message) -> None:
    """The ranking without ``state_preference``, the others' confidences divided by what it leaves,
    its best intent the parse's intent (or none)."""
    ranking = message.get(INTENT_RANKING_KEY) or []
    if not any(r.get(INTENT_NAME_KEY) == STATEMENT for r in ranking):
        return

    def confidence(reading: Dict[Text, Any]) -> float:
        return float(reading.get(PREDICTED_CONFIDENCE_KEY) or 0.0)

    rest = 1.0 - sum(confidence(r) for r in ranking if r.get(INTENT_NAME_KEY) == STATEMENT)
    kept = [{**r, PREDICTED_CONFIDENCE_KEY: confidence(r) / rest if rest > 0 else 0.0}
            for r in ranking if r.get(INTENT_NAME_KEY) != STATEMENT]
    best = kept[0] if kept else {INTENT_NAME_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0}
    message.set(INTENT, dict(best), add_to_output=True)
    message.set(INTENT_RANKING_KEY, kept, add_to_output=True)
