"""Shared helpers for actions: the turn's ambient context and sending directives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from assistant.outcomes import Problem

# The structured message's keys (assistant.turn.ActionReport), re-exported for the actions.
from assistant.turn import DIRECTIVES_KEY as DIRECTIVES_KEY
from assistant.turn import FORGOT_EVERYTHING as FORGOT_EVERYTHING
from assistant.turn import FORGOT_KEY as FORGOT_KEY
from assistant.turn import PROBLEM_KEY as PROBLEM_KEY

if TYPE_CHECKING:
    from assistant.home import Device, Directive, DirectiveResult, Home
    from assistant.prefs.store import Evidence
    from assistant.turn import RestedOn

DEFAULT_DEVICE = "kitchen_speaker"


@dataclass
class TurnContext:
    """The home as the runtime saw it at this turn, and who is speaking to which device."""

    home: "Home"
    speaking: "Device"
    user_id: str
    text: str
    intent: str | None
    from_metadata: bool

    def entity(self, tracker: Tracker, name: str) -> str | None:
        """The latest message's first value for an entity."""
        value = next(tracker.get_latest_entity_values(name), None)
        return str(value) if value is not None else None


def turn_context(tracker: Tracker) -> TurnContext:
    """Rebuild the home from the message metadata (the default home when there is none,
    e.g. under `rasa shell` or test stories)."""
    from assistant.home import Home

    latest = tracker.latest_message or {}
    metadata: dict[str, Any] = latest.get("metadata") or {}
    context = metadata.get("context") or {}
    home = Home.from_snapshot(context["home"]) if context.get("home") else Home.default()
    device_id = context.get("device_id") or metadata.get("device_id") or DEFAULT_DEVICE
    speaking = home.devices.get(device_id) or home.devices[DEFAULT_DEVICE]
    return TurnContext(
        home=home,
        speaking=speaking,
        user_id=str(metadata.get("user_id") or tracker.sender_id),
        text=str(latest.get("text") or ""),
        intent=(latest.get("intent") or {}).get("name"),
        from_metadata=bool(context),
    )


def evidence_of(tracker: Tracker) -> "Evidence":
    """The latest user message as the evidence of what it taught: its words, and the turn
    (conversation and message id, else the turn's time)."""
    from assistant.prefs.store import Evidence
    from assistant.services.teaching import TIMESTAMP_KEY

    latest = tracker.latest_message or {}
    turn = latest.get("message_id") or (latest.get("metadata") or {}).get(TIMESTAMP_KEY) or ""
    return Evidence(str(latest.get("text") or ""), f"{tracker.sender_id}:{turn}")


def answer_rested_on(events: Iterable[dict[str, Any]]) -> "RestedOn | None":
    """The preference the answer to the latest user message rested on (its actions' tags)."""
    from assistant.turn import RESTED_ON_KEY
    from assistant.turn import RestedOn as Rested

    for event in reversed(list(events)):
        if event.get("event") == "user":
            return None
        if event.get("event") == "bot":
            custom = (event.get("data") or {}).get("custom")
            rested = Rested.decode(custom.get(RESTED_ON_KEY)) if isinstance(custom, dict) else None
            if rested is not None:
                return rested
    return None


def send_directives(dispatcher: CollectingDispatcher, directives: Iterable["Directive"]) -> None:
    """Ask the runtime to apply these directives to the home."""
    texts = [str(d) for d in directives]
    if texts:
        dispatcher.utter_message(json_message={DIRECTIVES_KEY: texts})




def report_problem(dispatcher: CollectingDispatcher, problem: Problem, text: str) -> None:
    """Say what went wrong, and tag it (NOT_FOUND, NO_SUCH_DEVICE, ...) for the interaction log."""
    dispatcher.utter_message(text=text, json_message={PROBLEM_KEY: problem.value})


def check_all(home: "Home", directives: list["Directive"]) -> list["DirectiveResult"]:
    """Dry-run each directive on a copy of the home, in order, so that later ones see earlier ones."""
    from assistant.home import Home

    trial = Home.from_snapshot(home.snapshot())
    return [trial.apply(d) for d in directives]


def nearest_with(ctx: TurnContext, capability: Any) -> "Device | None":
    """The speaking device if it has the capability, else one in its room, else any."""
    if capability in ctx.speaking.capabilities:
        return ctx.speaking
    able = [d for d in ctx.home.devices.values() if capability in d.capabilities]
    same_room = [d for d in able if d.room == ctx.speaking.room]
    candidates = same_room or able
    return candidates[0] if candidates else None
