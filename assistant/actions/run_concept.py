"""action_run_concept: play a taught concept's steps ("movie time"), all in this one turn."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions.common import turn_context
from assistant.actions.concept_steps import run_steps
from assistant.habits import concepts as cx
from assistant.turn import CONCEPT_KEY, DIRECTIVES_KEY


class ActionRunConcept(Action):
    """Every step's replies, one message with all the steps' directives, and which steps failed."""

    def name(self) -> Text:
        return "action_run_concept"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        from assistant.habits.store import for_actions

        ctx = turn_context(tracker)
        name = ctx.entity(tracker, "concept") or ""
        stored = {c.name: c for c in for_actions().concepts(ctx.user_id)}
        if name not in stored:
            dispatcher.utter_message(text=f"I don't know what \"{name}\" means yet.")
            return []
        try:
            steps = cx.expand(name, {n: list(c.steps) for n, c in stored.items()})
        except (cx.LoopError, cx.DepthError):
            dispatcher.utter_message(text=f"\"{name}\" goes round in a loop with your other phrases, so I "
                                          f"didn't run it. Teach it again, or say \"forget {name}\".")
            return []
        parses = {step: c.parse_of(i) for c in stored.values() for i, step in enumerate(c.steps)
                  if c.parse_of(i) is not None}
        runs = await run_steps([(step, parses.get(step)) for step in steps], tracker, domain)
        dispatcher.utter_message(text=f"{name[:1].upper()}{name[1:]}:")
        for run in runs:
            dispatcher.messages.extend(run.messages)
        failed = [number for number, run in enumerate(runs, start=1) if not run.ok]
        directives = [d for run in runs for d in run.directives]
        dispatcher.utter_message(json_message={DIRECTIVES_KEY: directives, CONCEPT_KEY: {
            "name": name, "steps": len(runs), "failed": failed}})
        if failed:
            which = cx.describe_steps([f"step {n} (\"{steps[n - 1]}\")" for n in failed]).replace(", then", " and")
            dispatcher.utter_message(text=f"{which[:1].upper()}{which[1:]} didn't work; the other steps ran.")
        return []
