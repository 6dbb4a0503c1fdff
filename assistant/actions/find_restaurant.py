"""action_find_restaurant: the cuisine asked for, else the one the user likes."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions.common import turn_context
from assistant.prefs.keys import PrefKey
from assistant.services import preferences, restaurants
from assistant.turn import ANSWERED_KEY, RestedOn


class ActionFindRestaurant(Action):
    """Suggests restaurants nearby, using the user's cuisine when none is named."""

    def name(self) -> Text:
        return "action_find_restaurant"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        ctx = turn_context(tracker)
        cuisine = restaurants.cuisine_named(ctx.text)
        if cuisine is not None:
            found = restaurants.suggest(cuisine)
            dispatcher.utter_message(text=found.sentence(), json_message={ANSWERED_KEY: {"cuisine": found.cuisine}})
            return []
        user = preferences.for_user(ctx.user_id)
        liked = user.first(PrefKey.CUISINE)
        suggestion = restaurants.suggest(liked, avoid=tuple(user.disliked(PrefKey.CUISINE)))
        text = suggestion.sentence()
        if liked:
            text = f"Since you like {liked.title()} food: {text}"
        dispatcher.utter_message(text=text, json_message={ANSWERED_KEY: {"cuisine": suggestion.cuisine},
                                                          **RestedOn(PrefKey.CUISINE.value, bool(liked)).to_json()})
        return []
