"""action_find_restaurant: the cuisine asked for, else the one the user likes."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions.common import turn_context
from assistant.actions.repairs import repair_in_words
from assistant.habits import apply
from assistant.prefs.keys import PrefKey
from assistant.repair.outcome import Kind
from assistant.services import preferences, restaurants
from assistant.turn import ANSWERED_KEY, IMPLICIT_KEY, RestedOn

# The words of a restaurant request that are not a cuisine (what repair leaves out).
RESTAURANT_WORDS = frozenset("""
    find me a an the some any good restaurant restaurants place places food around nearby near here where can i we
    eat eating tonight recommend somewhere for dinner lunch breakfast to go out get want like would please hey um uh
    is are there what's whats what which best open now cheap nice takeout delivery order book table of in my our
""".split())


class ActionFindRestaurant(Action):
    """Suggests restaurants nearby, using the user's cuisine when none is named."""

    def name(self) -> Text:
        return "action_find_restaurant"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        ctx = turn_context(tracker)
        cuisine = restaurants.cuisine_named(ctx.text)
        tags: dict[str, Any] = {}
        if cuisine is None:
            # No cuisine named: words where it should be may be one misheard ("it alien food").
            repair = repair_in_words(tracker, ctx, (Kind.CUISINE,), RESTAURANT_WORDS)
            if repair is not None:   # typed, for the log: the answer names the cuisine it understood
                cuisine, tags = repair.value, repair.to_json()
        if cuisine is not None:
            found = restaurants.suggest(cuisine)
            dispatcher.utter_message(text=found.sentence(),
                                     json_message={ANSWERED_KEY: {"cuisine": found.cuisine}, **tags})
            return []
        user = preferences.for_user(ctx.user_id)
        liked, inferred = apply.preferred(user.prefs, (PrefKey.CUISINE,))
        suggestion = restaurants.suggest(liked, avoid=tuple(user.disliked(PrefKey.CUISINE)))
        text = suggestion.sentence()
        if liked:
            why = "you've asked for" if inferred else "you like"
            text = f"Since {why} {liked.title()} food: {text}"
        tags = {ANSWERED_KEY: {"cuisine": suggestion.cuisine},
                **RestedOn(PrefKey.CUISINE.value, bool(liked),
                           None if liked else suggestion.cuisine).to_json()}
        if inferred:   # typed, for the runtime: a "no" next turn lowers this inferred cuisine
            tags[IMPLICIT_KEY] = [liked]
        dispatcher.utter_message(text=text, json_message=tags)
        return []
