"""action_start_coffee: "start brewing" means the coffee maker."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions.common import check_all, send_directives, turn_context
from assistant.services.resolution import resolve


class ActionStartCoffee(Action):
    """Starts the coffee maker brewing."""

    def name(self) -> Text:
        return "action_start_coffee"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        from simulator.home import Directive, DirectiveVerb

        ctx = turn_context(tracker)
        target = resolve(ctx.home, ctx.speaking, kind="coffee_maker", all_in_room=False)
        if not target.ok:
            dispatcher.utter_message(text=target.message)
            return []
        maker = target.devices[0]
        if maker.state.get("brewing"):
            dispatcher.utter_message(text=f"The {maker.name} is already brewing.")
            return []
        directive = Directive(DirectiveVerb.BREW, maker.id, None)
        result = check_all(ctx.home, [directive])[0]
        if not result.ok:
            dispatcher.utter_message(text=f"I couldn't start the {maker.name}: {result.message}")
            return []
        dispatcher.utter_message(text=f"Starting the {maker.name}. Coffee will be ready in a few minutes.")
        send_directives(dispatcher, [directive])
        return []
