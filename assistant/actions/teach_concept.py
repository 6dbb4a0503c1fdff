"""action_teach_concept: "when I say movie time, dim the lights and turn on the TV", or the
steps answering "Can you teach me?".

Each step is dry-run through the actions that would play it, on a copy of the home (the steps'
NLU parses come in the message metadata, ``habits``, from the turn pipeline's NLU-only parses);
a step that can't work says why, typed (`StepFailure`), and nothing is saved. A teaching said
at once is stored; steps answering the offer are confirmed first ("Shall I remember that?").
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions.common import turn_context
from assistant.actions.concept_steps import failure_reply, run_steps, slot_events, turn_time
from assistant.habits import concepts as cx
from assistant.habits import pending
from assistant.turn import HABITS_KEY as TURN_HABITS_KEY

PHRASE = "habits_phrase"              # assistant.components.taught_phrase.PHRASE
OUTCOME_KEY = TURN_HABITS_KEY        # the structured message's {intent, outcome}
HABITS_KEY = "habits"                 # assistant.habits.recognise.METADATA_KEY (set by the turn pipeline)
NAME_COMMAND_CONFIDENCE = 0.95
NOT_A_NAME = ("nlu_fallback", "out_of_scope", None)


class ActionTeachConcept(Action):
    """Checks a teaching, dry-runs its steps, and stores it (or asks to confirm)."""

    def name(self) -> Text:
        return "action_teach_concept"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        from assistant.habits.store import for_actions

        ctx = turn_context(tracker)
        latest = tracker.latest_message or {}
        asked = pending.waiting(tracker.get_slot(pending.PENDING))
        events = slot_events(pending.cleared()) if asked else []
        phrase = latest.get(PHRASE) or {}
        confirm = asked is pending.Waiting.STEPS and ctx.intent != "teach_concept"
        if confirm:
            teaching = cx.Teaching(str(tracker.get_slot(pending.PENDING_NAME) or ""), tuple(cx.split_steps(ctx.text)))
        elif phrase:
            teaching = cx.Teaching(str(phrase.get("name") or ""), tuple(str(s) for s in phrase.get("steps") or ()))
        else:
            dispatcher.utter_message(text=cx.PROBLEM_REPLIES[cx.Problem.NO_NAME])
            return events
        store = for_actions()
        known = {c.name: list(c.steps) for c in store.concepts(ctx.user_id) if c.name != teaching.name}
        metadata = (latest.get("metadata") or {}).get(HABITS_KEY) or {}
        problem = cx.check_shape(teaching, known)
        if problem is None and not confirm and is_command(metadata.get("name")):
            problem = cx.Problem.NAME_IS_COMMAND
        if problem is not None:
            dispatcher.utter_message(text=cx.PROBLEM_REPLIES[problem].format(name=teaching.name,
                                                                             count=len(teaching.steps)),
                                     json_message=outcome(problem.value))
            return events
        parses = step_parses(teaching.steps, metadata, latest, list(known))
        tried = [(s, p) for s, p in zip(teaching.steps, parses) if not cx.named(s, list(known))]
        for run in await run_steps(tried, tracker, domain):
            if not run.ok:
                assert run.failure is not None
                dispatcher.utter_message(text=f"{failure_reply(run)} Nothing was saved.",
                                         json_message=outcome(run.failure.value))
                return events
        steps = cx.describe_steps(teaching.steps)
        if confirm:
            dispatcher.utter_message(text=f"So \"{teaching.name}\" means: {steps}. Shall I remember that?",
                                     json_message=outcome("confirm"))
            kept = [{"text": s, "parse": p} for s, p in zip(teaching.steps, parses)]
            return slot_events(pending.ask(pending.Waiting.CONFIRM, teaching.name, turn_time(tracker), kept))
        store.save_concept(ctx.user_id, teaching.name, teaching.steps, parses)
        dispatcher.utter_message(text=f"Okay: when you say \"{teaching.name}\", I'll {steps}.",
                                 json_message=outcome("saved"))
        return events


def outcome(what: str) -> Dict[str, Any]:
    """The typed outcome for the runtime: the turn was a teaching (also when the message was the
    steps answering the offer, whatever the classifier called them), and how it ended (saved,
    confirm, a `Problem` or a `StepFailure` value)."""
    return {OUTCOME_KEY: {"intent": "teach_concept", "outcome": what}}


def is_command(parse: Dict[str, Any] | None) -> bool:
    """The name, parsed alone, is a request the model knows well."""
    if not parse:
        return False
    return parse.get("intent") not in NOT_A_NAME and float(parse.get("confidence") or 0) >= NAME_COMMAND_CONFIDENCE


def step_parses(steps: tuple[str, ...], metadata: Dict[str, Any], latest: Dict[str, Any],
                concepts: List[str]) -> List[Dict[str, Any] | None]:
    """Each step's parse: from the pipeline's NLU-only parses, or the message's own when the
    message is the one step; None for a step that is another concept."""
    from assistant.habits.store import step_parse

    given = {str(s.get("text")): s.get("parse") for s in metadata.get("steps") or [] if isinstance(s, dict)}
    out: List[Dict[str, Any] | None] = []
    for step in steps:
        if cx.named(step, concepts):
            out.append(None)
        elif step in given:
            out.append(given[step])
        elif len(steps) == 1 and latest.get("intent"):
            out.append(step_parse(latest))
        else:
            out.append(None)
    return out
