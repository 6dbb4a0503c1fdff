"""action_play_media: the film on a screen, the audiobook on a speaker."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions.common import check_all, send_directives, turn_context
from assistant.services import media


class ActionPlayMedia(Action):
    """Plays a title, artist or genre on the speaking device, in the format it can show."""

    def name(self) -> Text:
        return "action_play_media"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        from simulator.home import Capability, Directive, DirectiveVerb

        ctx = turn_context(tracker)
        player = ctx.speaking
        if Capability.MEDIA not in player.capabilities:
            players = [d for d in ctx.home.devices.values()
                       if Capability.MEDIA in d.capabilities and d.room == player.room]
            if not players:
                dispatcher.utter_message(text=f"The {player.name} can't play media, and nothing in "
                                              f"the {player.room.replace('_', ' ')} can.")
                return []
            player = players[0]
        choice = media.choose(
            ctx.text,
            title=ctx.entity(tracker, "media_title"),
            artist=ctx.entity(tracker, "artist"),
            genre=ctx.entity(tracker, "genre"),
            media_type=ctx.entity(tracker, "media_type"),
            has_screen=player.has_screen,
        )
        if choice.problem is not None:
            dispatcher.utter_message(text=choice.message)
            return []
        directive = Directive(DirectiveVerb.PLAY, player.id, choice.directive_value)
        result = check_all(ctx.home, [directive])[0]
        if not result.ok:
            dispatcher.utter_message(text=f"I can't play that here: {result.message}")
            return []
        where = "" if player.id == ctx.speaking.id else f" on the {player.name}"
        dispatcher.utter_message(text=f"Playing {choice.describe()}{where}.")
        send_directives(dispatcher, [directive])
        return []
