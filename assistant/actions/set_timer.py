"""action_set_timer: start a timer on the speaking device (or the nearest that has timers)."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions.common import check_all, nearest_with, send_directives, turn_context
from assistant.services.timeparse import format_duration, parse_duration

MAX_TIMER_SECONDS = 24 * 3600


class ActionSetTimer(Action):
    """Starts a timer for the duration the user named."""

    def name(self) -> Text:
        return "action_set_timer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        from assistant.home import Capability, Directive, DirectiveVerb

        ctx = turn_context(tracker)
        seconds = parse_duration(ctx.entity(tracker, "duration") or "") or parse_duration(ctx.text)
        if seconds is None or seconds > MAX_TIMER_SECONDS:
            dispatcher.utter_message(text="For how long? For example: set a timer for 10 minutes "
                                          "(up to 24 hours).")
            return []
        device = nearest_with(ctx, Capability.TIMER)
        if device is None:
            dispatcher.utter_message(text="Nothing in this home can run a timer.")
            return []
        directive = Directive(DirectiveVerb.START_TIMER, device.id, seconds)
        result = check_all(ctx.home, [directive])[0]
        if not result.ok:
            dispatcher.utter_message(text=f"I couldn't start that timer: {result.message}")
            return []
        dispatcher.utter_message(text=f"Timer set for {format_duration(seconds)}.")
        send_directives(dispatcher, [directive])
        return []
