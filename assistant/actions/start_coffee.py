"""action_start_coffee: "start brewing" means the coffee maker."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions.common import TurnContext, check_all, send_directives, turn_context
from assistant.services.resolution import resolve

if TYPE_CHECKING:
    from assistant.home import Directive


def start_coffee(ctx: TurnContext) -> tuple[bool, str, list["Directive"]]:
    """(started, what to say, directives) for starting the nearest coffee maker."""
    from assistant.home import Directive, DirectiveVerb

    target = resolve(ctx.home, ctx.speaking, kind="coffee_maker", all_in_room=False)
    if not target.ok:
        return False, target.message, []
    maker = target.devices[0]
    if maker.state.get("brewing"):
        return False, f"The {maker.name} is already brewing.", []
    directive = Directive(DirectiveVerb.BREW, maker.id, None)
    result = check_all(ctx.home, [directive])[0]
    if not result.ok:
        return False, f"I couldn't start the {maker.name}: {result.message}", []
    return True, f"Starting the {maker.name}. Coffee will be ready in a few minutes.", [directive]


class ActionStartCoffee(Action):
    """Starts the coffee maker brewing."""

    def name(self) -> Text:
        return "action_start_coffee"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        _, message, directives = start_coffee(turn_context(tracker))
        dispatcher.utter_message(text=message)
        send_directives(dispatcher, directives)
        return []
