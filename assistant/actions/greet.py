"""action_greet: hello, and "good morning" after the alarm starts the coffee when that is
the user's morning routine."""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions.common import TurnContext, send_directives, turn_context
from assistant.actions.start_coffee import start_coffee
from assistant.prefs.keys import COFFEE_AFTER_ALARM, PrefKey
from assistant.services import preferences

GREETING = (
    'Hi! I can control the lights, oven, thermostat, garage door, front door lock and coffee maker, '
    'play music, films, audiobooks and podcasts, tell you the weather, and set alarms and timers.'
)
# "Good morning" this long after the alarm rang still counts as waking up.
ROUTINE_WINDOW = dt.timedelta(minutes=60)


def alarm_rang_recently(ctx: TurnContext) -> bool:
    """An alarm rang in the home within ROUTINE_WINDOW of now."""
    now = ctx.home.clock.now
    return any(e.kind.value == "alarm_rang" and dt.timedelta(0) <= now - e.at <= ROUTINE_WINDOW
               for e in ctx.home.events)


class ActionGreet(Action):
    """Greets; on "good morning" after the alarm, runs the user's coffee routine."""

    def name(self) -> Text:
        return "action_greet"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        ctx = turn_context(tracker)
        if "morning" in ctx.text.lower() and alarm_rang_recently(ctx):
            routine = preferences.for_user(ctx.user_id).first(PrefKey.MORNING_ROUTINE)
            if routine == COFFEE_AFTER_ALARM:
                started, message, directives = start_coffee(ctx)
                if started:
                    dispatcher.utter_message(text=f"Good morning! Your coffee routine: {message}")
                    send_directives(dispatcher, directives)
                    return []
        dispatcher.utter_message(text=GREETING)
        return []
