"""action_set_alarm: set an alarm on the nearest alarm-capable device."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions.common import check_all, nearest_with, send_directives, turn_context
from assistant.services.timeparse import format_clock, parse_clock


class ActionSetAlarm(Action):
    """Sets an alarm at the time the user named."""

    def name(self) -> Text:
        return "action_set_alarm"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        from assistant.home import Capability, Directive, DirectiveVerb

        ctx = turn_context(tracker)
        when = parse_clock(ctx.entity(tracker, "time") or "") or parse_clock(ctx.text)
        if when is None:
            dispatcher.utter_message(text="For what time? For example: set an alarm for 7 am.")
            return []
        device = nearest_with(ctx, Capability.ALARM)
        if device is None:
            dispatcher.utter_message(text="There's no alarm clock in this home.")
            return []
        directive = Directive(DirectiveVerb.SET_ALARM, device.id, when)
        result = check_all(ctx.home, [directive])[0]
        if not result.ok:
            dispatcher.utter_message(text=f"I couldn't set that alarm: {result.message}")
            return []
        dispatcher.utter_message(text=f"Alarm set for {format_clock(when)} on the {device.name}.")
        send_directives(dispatcher, [directive])
        return []
