"""A taught concept's steps, played by the device and answer actions in this process.

Each step was stored with its NLU parse (intent and entities) when it was taught; its action is
the one the rules give that intent, run on a copy of the home that carries the earlier steps'
directives. Nothing goes back through Rasa. `run_steps` is what action_run_concept plays and
what action_teach_concept dry-runs; a step that fails says why (`StepFailure`), typed.
"""

from __future__ import annotations

import enum
import importlib
from dataclasses import dataclass, field
from typing import Any, Dict, List, Sequence, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions.common import DIRECTIVES_KEY, PROBLEM_KEY, turn_context

MIN_STEP_CONFIDENCE = 0.35  # the FallbackClassifier threshold in config.yml
_DEVICE = "assistant.actions.device_control:ActionDeviceControl"
# intent -> the action of stories/rules (module:class)
STEP_ACTIONS = {
    **{intent: _DEVICE for intent in ("turn_on", "turn_off", "set_brightness", "set_color", "set_temperature",
                                      "open_device", "close_device", "lock_device", "unlock_device")},
    "start_coffee": "assistant.actions.start_coffee:ActionStartCoffee",
    "play_media": "assistant.actions.play_media:ActionPlayMedia",
    "set_alarm": "assistant.actions.set_alarm:ActionSetAlarm",
    "cancel_alarm": "assistant.actions.cancel_alarm:ActionCancelAlarm",
    "set_timer": "assistant.actions.set_timer:ActionSetTimer",
    "stop": "assistant.actions.stop:ActionStop",
    "ask_weather": "assistant.actions.weather:ActionWeather",
    "ask_time": "assistant.actions.tell_time:ActionTellTime",
    "ask_temperature": "assistant.actions.tell_temperature:ActionTellTemperature",
    "ask_device_state": "assistant.actions.device_state:ActionDeviceState",
    "ask_team_score": "assistant.actions.team_score:ActionTeamScore",
    "find_restaurant": "assistant.actions.find_restaurant:ActionFindRestaurant",
}


def step_action(intent: str | None) -> Any:
    """An instance of the action the rules give ``intent`` (None: no single action does)."""
    if intent not in STEP_ACTIONS:
        return None
    module, _, name = STEP_ACTIONS[str(intent)].partition(":")
    return getattr(importlib.import_module(module), name)()


# Intents that act on a device: the step must name one the home's vocabulary knows.
DEVICE_INTENTS = frozenset({"turn_on", "turn_off", "set_brightness", "set_color", "open_device", "close_device",
                            "lock_device", "unlock_device"})


class StepFailure(str, enum.Enum):
    """Why a step did not work."""

    NOT_A_STEP = "not_a_step"      # no parse, or an intent a step can't have
    NO_DEVICE = "no_device"        # a device request naming no device
    PROBLEM = "problem"            # its action tagged a problem (NOT_FOUND, NO_SUCH_DEVICE, ...)
    REFUSED = "refused"            # the home refused one of its directives


@dataclass
class StepRun:
    """One step played: what it said and asked of the home, and why it failed (None: it worked)."""

    text: str
    replies: List[str] = field(default_factory=list)
    directives: List[str] = field(default_factory=list)
    messages: List[Dict[Text, Any]] = field(default_factory=list)   # its messages, directives taken out
    failure: StepFailure | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.failure is None


def usable(parse: Dict[str, Any] | None) -> bool:
    """A parse a step can be played from."""
    return parse is not None and bool(parse) and parse.get("intent") in STEP_ACTIONS \
        and float(parse.get("confidence") or 0.0) >= MIN_STEP_CONFIDENCE


async def run_steps(steps: Sequence[tuple[str, Dict[str, Any] | None]], tracker: Tracker,
                    domain: Dict[Text, Any]) -> List[StepRun]:
    """Play each (text, parse) in order on a copy of the turn's home; every step is tried."""
    from assistant.habits.recognise import names_device
    from assistant.home import Directive

    home = turn_context(tracker).home
    latest = tracker.latest_message or {}
    metadata = dict(latest.get("metadata") or {})
    runs = []
    for text, parse in steps:
        run = StepRun(text)
        runs.append(run)
        if not usable(parse):
            run.failure = StepFailure.NOT_A_STEP
            continue
        assert parse is not None
        if parse["intent"] in DEVICE_INTENTS and not (parse.get("entities") or names_device(text)):
            run.failure = StepFailure.NO_DEVICE
            continue
        context = {**(metadata.get("context") or {}), "home": home.snapshot()}
        message = {"text": text, "intent": {"name": parse["intent"], "confidence": parse.get("confidence")},
                   "entities": list(parse.get("entities") or []), "metadata": {**metadata, "context": context}}
        step_tracker = Tracker(tracker.sender_id, dict(tracker.slots), message, list(tracker.events), False, None,
                               {}, None)
        dispatcher = CollectingDispatcher()
        action = step_action(parse["intent"])
        await action.run(dispatcher, step_tracker, domain)
        for sent in dispatcher.messages:
            _take(run, sent)
        for directive in run.directives:
            outcome = home.apply(Directive.parse(directive))
            if not outcome.ok and run.ok:
                run.failure, run.detail = StepFailure.REFUSED, outcome.message
    return runs


def _take(run: StepRun, sent: Dict[Text, Any]) -> None:
    custom = dict(sent.get("custom") or {})
    run.directives.extend(str(d) for d in custom.pop(DIRECTIVES_KEY, None) or [])
    if custom.get(PROBLEM_KEY) and run.ok:
        run.failure = StepFailure.PROBLEM
    if sent.get("text"):
        run.replies.append(str(sent["text"]))
    if sent.get("text") or custom:
        run.messages.append({**sent, "custom": custom})
    if run.failure is StepFailure.PROBLEM and not run.detail:
        run.detail = " ".join(run.replies)


def failure_reply(run: StepRun) -> str:
    """What the user hears about a step that can't be part of a phrase."""
    if run.failure is StepFailure.NO_DEVICE:
        return f"I don't know which device \"{run.text}\" means, so I can't do it."
    if run.failure is StepFailure.NOT_A_STEP:
        return f"I don't know how to \"{run.text}\" as part of a phrase."
    if run.failure is StepFailure.REFUSED:
        return f"I can't \"{run.text}\" here: {_sentence(run.detail)}"
    return f"I can't \"{run.text}\" here: {_sentence(' '.join(run.replies) or run.detail)}"


def _sentence(said: str) -> str:
    """The step's own words as the end of ours: without its "I can't do that:", with a full stop."""
    said = said.strip()
    for prefix in ("I can't do that: ", "I can't play that here: "):
        if said.startswith(prefix):
            said = said[len(prefix):]
    return said if said.endswith((".", "!", "?")) else f"{said}."


def turn_time(tracker: Tracker) -> float:
    """The turn's time (epoch seconds) from the message metadata; now without one."""
    import time

    stamp = ((tracker.latest_message or {}).get("metadata") or {}).get("timestamp")
    return float(stamp) if isinstance(stamp, (int, float)) else time.time()


def slot_events(values: Dict[str, Any]) -> List[Dict[Text, Any]]:
    from rasa_sdk.events import SlotSet

    return [SlotSet(k, v) for k, v in values.items()]


def lapse_events(tracker: Tracker, intent: str | None) -> List[Dict[Text, Any]]:
    """Close the habits question when this message is no answer to it, or came too late."""
    from assistant.habits import pending

    asked = pending.waiting(tracker.get_slot(pending.PENDING))
    stamp = ((tracker.latest_message or {}).get("metadata") or {}).get("timestamp")
    now = float(stamp) if isinstance(stamp, (int, float)) else None
    if pending.lapsed(asked, tracker.get_slot(pending.PENDING_AT), now, intent):
        return slot_events(pending.cleared())
    return []
