"""action_weather: forecasts, asking which city when the name is shared (Wilkerson)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions.check_answer import check_a_guess
from assistant.actions.common import report_problem, turn_context
from assistant.actions.repairs import repair_any, spans
from assistant.outcomes import Problem
from assistant.prefs.keys import PrefKey
from assistant.prefs.statements import declares_home
from assistant.repair.outcome import Kind
from assistant.services import preferences, weather
from assistant.turn import ANSWERED_KEY, ASKED_CITY_KEY, RestedOn

# Words around a place that are not its name (what repair leaves out of the pieces it tries).
PLACE_WORDS = frozenset("the a in for at of and today tomorrow tonight now please weather city".split())


class ActionWeather(Action):
    """Tells the weather for a named city, the pending one, or the home city."""

    def name(self) -> Text:
        return "action_weather"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        ctx = turn_context(tracker)
        if ctx.intent == "inform_place" and declares_home(ctx.text):
            # "i live in seat all, washington" read as a place to give the weather for: it says
            # where the user lives, so it is stored (or asked about, when misheard) as their home.
            from assistant.actions.store_preference import ActionStorePreference

            return await ActionStorePreference().run(dispatcher, tracker, domain)
        pending = tracker.get_slot("pending_city")
        found = weather.lookup(
            ctx.text,
            city=ctx.entity(tracker, "city"),
            region=ctx.entity(tracker, "region"),
            pending=pending,
        )
        repair = None
        if found.city is None and found.name and not found.candidates:
            # Not a city we know: maybe misheard ("see at all"); repaired only when clearly ahead.
            place = weather.named_place(ctx.text)   # and pieces of the place as heard ("los angels california")
            heard = [found.name, *spans(found.name, PLACE_WORDS), *(spans(place, PLACE_WORDS) if place else [])]
            repair = repair_any(tracker, ctx, heard, (Kind.CITY,))
            if repair is not None:
                found = weather.lookup(ctx.text, city=repair.value, region=ctx.entity(tracker, "region"))
        if found.ambiguous:
            dispatcher.utter_message(text=found.question())
            return [SlotSet("pending_city", found.name)]
        if found.city is None and found.name:
            report_problem(dispatcher, Problem.UNKNOWN_CITY,
                           f"I don't have weather for {found.name}. {weather.suggestion(found.name)}")
            return [SlotSet("pending_city", None)] if pending else []
        user = preferences.for_user(ctx.user_id)
        city, note = found.city, ""
        if city is None:
            city = weather.city_by_label(user.first(PrefKey.HOME_CITY) or "")
            note = "(your home city)" if city else ""
        city = city or weather.home_city()
        unit = user.first(PrefKey.TEMPERATURE_UNIT) or "celsius"
        day = ctx.home.clock.now.date()
        when = "today"
        if re.search(r"\btomorrow\b", ctx.text.lower()):
            day, when = day + dt.timedelta(days=1), "tomorrow"
        # Typed, for what learns from activity: the city was the user's choice (named, or the
        # answer to "which Wilkerson?"), not the home city filled in for them.
        tags: dict[str, Any] = {ANSWERED_KEY: {"city": city.label}}
        if found.city is not None:
            tags[ASKED_CITY_KEY] = found.city.label
        else:  # the home city filled in: the user's own, or a guess for want of one
            tags.update(RestedOn(PrefKey.HOME_CITY.value, bool(note), None if note else city.label).to_json())
        if repair is not None:   # typed, for the log: the forecast names the city it understood
            tags.update(repair.to_json())
        dispatcher.utter_message(text=weather.forecast(city, day).sentence(when, unit, note), json_message=tags)
        events: List[Dict[Text, Any]] = [SlotSet("pending_city", None)] if pending else []
        if found.city is None and not note and not weather.names_a_place(ctx.text):   # the home's city guessed
            events += check_a_guess(dispatcher, tracker, PrefKey.HOME_CITY)
        return events
