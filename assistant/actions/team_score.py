"""action_team_score: "how did my team do?" answers for the user's team."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions.common import turn_context
from assistant.prefs.keys import PrefKey
from assistant.services import preferences, sports
from assistant.turn import ANSWERED_KEY, RestedOn

NO_TEAM = "I don't know your team yet; ask about one by name, or tell me yours (\"I'm a Warriors fan\")."


class ActionTeamScore(Action):
    """Yesterday's result for the team named, else the user's team."""

    def name(self) -> Text:
        return "action_team_score"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        ctx = turn_context(tracker)
        team = sports.team_named(ctx.text)
        note = ""
        if team is None:
            stored = preferences.for_user(ctx.user_id).first(PrefKey.SPORTS_TEAM)
            team = sports.team_by_name(stored) if stored else None
            note = " (your team)"
        if team is None:
            dispatcher.utter_message(text=NO_TEAM, json_message=RestedOn(PrefKey.SPORTS_TEAM.value, False).to_json())
            return []
        sentence = sports.last_game(team, ctx.home.clock.now.date()).sentence()
        if note:
            sentence = sentence.replace(team.name, team.name + note, 1)
        tags: dict[str, Any] = {ANSWERED_KEY: {"team": team.name}}
        if note:
            tags.update(RestedOn(PrefKey.SPORTS_TEAM.value, True).to_json())
        dispatcher.utter_message(text=sentence, json_message=tags)
        return []
