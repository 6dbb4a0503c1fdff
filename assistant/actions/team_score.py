"""action_team_score: "how did my team do?" answers for the user's team."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions.common import report_problem, turn_context
from assistant.actions.repairs import repair_in_words
from assistant.habits import apply
from assistant.outcomes import Problem
from assistant.prefs.keys import PrefKey
from assistant.repair.outcome import Kind
from assistant.services import preferences, sports
from assistant.turn import ANSWERED_KEY, IMPLICIT_KEY, RestedOn

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
        note, repair = "", None
        if team is None:
            # No team named: words where the team should be may be one misheard ("the worriers").
            repair = repair_in_words(tracker, ctx, (Kind.TEAM,), sports.QUESTION_WORDS)
            team = sports.team_by_name(repair.value) if repair is not None else None
            repair = repair if team is not None else None
        # (Not when carried out again after an answer to an offer: "yes" names no team.)
        unknown = sports.unknown_team(ctx.text) if team is None and ctx.intent == "ask_team_score" else None
        if unknown is not None:   # a team named that the service doesn't know ("the lackers"): no preference helps
            report_problem(dispatcher, Problem.NOT_FOUND, sports.not_found_message(unknown))
            return []
        inferred = False
        if team is None:
            stored, inferred = apply.preferred(preferences.for_user(ctx.user_id).prefs, (PrefKey.SPORTS_TEAM,))
            team = sports.team_by_name(stored) if stored else None
            note = " (your team, as you've asked about them)" if inferred else " (your team)"
        if team is None:
            dispatcher.utter_message(text=NO_TEAM, json_message=RestedOn(PrefKey.SPORTS_TEAM.value, False).to_json())
            return []
        sentence = sports.last_game(team, ctx.home.clock.now.date()).sentence()
        if note:
            sentence = sentence.replace(team.name, team.name + note, 1)
        tags: dict[str, Any] = {ANSWERED_KEY: {"team": team.name}}
        if note:
            tags.update(RestedOn(PrefKey.SPORTS_TEAM.value, True).to_json())
        if inferred:   # typed, for the runtime: a "no" next turn lowers this inferred team
            tags[IMPLICIT_KEY] = [team.name]
        if repair is not None:   # typed, for the log: the answer names the team it understood
            tags.update(repair.to_json())
        dispatcher.utter_message(text=sentence, json_message=tags)
        return []
