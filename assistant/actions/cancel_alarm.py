"""action_cancel_alarm: cancel one alarm (by time) or all of them."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions.common import send_directives, turn_context
from assistant.services.timeparse import format_clock, parse_clock


class ActionCancelAlarm(Action):
    """Cancels alarms on every alarm-capable device that has them."""

    def name(self) -> Text:
        return "action_cancel_alarm"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        from assistant.home import Capability, Directive, DirectiveVerb

        ctx = turn_context(tracker)
        when = parse_clock(ctx.entity(tracker, "time") or "") or parse_clock(ctx.text)
        devices = [d for d in ctx.home.devices.values()
                   if Capability.ALARM in d.capabilities and d.state.get("alarms")]
        if when is not None:
            devices = [d for d in devices if when in d.state.get("alarms", [])]
        if not devices:
            said = f" at {format_clock(when)}" if when else ""
            dispatcher.utter_message(text=f"There's no alarm{said} to cancel.")
            return []
        directives = [Directive(DirectiveVerb.CANCEL_ALARM, d.id, when) for d in devices]
        what = f"the {format_clock(when)} alarm" if when else "your alarms"
        dispatcher.utter_message(text=f"Cancelled {what}.")
        send_directives(dispatcher, directives)
        return []
