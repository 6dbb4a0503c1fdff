"""action_tell_temperature: "what is the temperature" means the oven when it is on."""

from __future__ import annotations

import re
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions.common import TurnContext, turn_context
from assistant.services import weather


def temperature_answer(ctx: TurnContext) -> str:
    """Oven if named or on; the outside weather if asked about outside; else indoors."""
    text = ctx.text.lower()
    ovens = [d for d in ctx.home.devices.values() if d.kind.value == "oven"]
    oven = ovens[0] if ovens else None
    if re.search(r"\b(outside|outdoors|out there)\b", text):
        f = weather.forecast(weather.home_city(), ctx.home.clock.now.date())
        return f"Outside in {f.city.name} it's {f.condition}, with a high of {f.high} degrees."
    if oven is not None and ("oven" in text or oven.state.get("power") == "on"):
        s = oven.state
        if s.get("power") != "on":
            return f"The oven is off; it's at {s.get('temperature')} degrees."
        current, target = s.get("temperature"), s.get("target_temperature")
        if target is not None and current is not None and current < target:
            return f"The oven is at {current} degrees, heating to {target}."
        return f"The oven is at {current} degrees."
    thermostats = [d for d in ctx.home.devices.values() if d.kind.value == "thermostat"]
    if thermostats:
        s = thermostats[0].state
        return (f"It's {s.get('current_temperature')} degrees inside; "
                f"the thermostat is set to {s.get('target_temperature')}.")
    f = weather.forecast(weather.home_city(), ctx.home.clock.now.date())
    return f"Outside in {f.city.name} it's {f.condition}, with a high of {f.high} degrees."


class ActionTellTemperature(Action):
    """Answers temperature questions from the home's context."""

    def name(self) -> Text:
        return "action_tell_temperature"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(text=temperature_answer(turn_context(tracker)))
        return []
