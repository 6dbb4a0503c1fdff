"""action_device_control: on/off, dim, colour, set temperature, open/close, lock/unlock."""

from __future__ import annotations

import re
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions.common import check_all, report_problem, send_directives, turn_context
from assistant.actions.repairs import repair_entity, repair_in_words, tag_repair
from assistant.catalog import load_catalog
from assistant.outcomes import Problem, decode_problem
from assistant.repair.outcome import Kind, Repair
from assistant.services.resolution import kind_in, names, resolve, room_in
from assistant.services.text_match import find_phrase

# intent -> (directive verb, default device kind when none is named)
INTENT_VERBS = {
    "turn_on": ("turn_on", None),
    "turn_off": ("turn_off", None),
    "set_brightness": ("set_brightness", "light"),
    "set_color": ("set_color", "light"),
    "set_temperature": ("set_temperature", None),
    "open_device": ("open", "garage_door"),
    "close_device": ("close", "garage_door"),
    "lock_device": ("lock", "lock"),
    "unlock_device": ("unlock", "lock"),
}

PAST = {
    "turn_on": "Turning on", "turn_off": "Turning off", "set_brightness": "Setting",
    "set_color": "Setting", "set_temperature": "Setting", "open": "Opening",
    "close": "Closing", "lock": "Locking", "unlock": "Unlocking",
}


def number_in(text: str, entity: str | None) -> int | None:
    """The first number in the entity value or the text ("30%" -> 30)."""
    for source in (entity, text):
        if source and (m := re.search(r"-?\d+(?:\.\d+)?", source)):
            return round(float(m.group(0)))
    return None


def brightness_for(text: str, number: int | None) -> int | None:
    """A brightness level: the number said, or what "dim"/"brighten" usually mean."""
    if number is not None:
        return number
    lowered = text.lower()
    if re.search(r"\b(full|max|maximum|brighten|brighter|bright)\b", lowered):
        return 100
    if re.search(r"\b(dim|dimmer|lower|low|down)\b", lowered):
        return 30
    return None


class ActionDeviceControl(Action):
    """Changes device state through directives, targeting the speaking device's room by default."""

    def name(self) -> Text:
        return "action_device_control"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        from assistant.home import Directive, DirectiveVerb

        ctx = turn_context(tracker)
        intent = ctx.intent or ""
        verb, default_kind = INTENT_VERBS.get(intent, ("turn_on", None))
        kind = kind_in(ctx.text, ctx.entity(tracker, "device")) or default_kind
        number = number_in(ctx.text, ctx.entity(tracker, "number"))
        if verb == "set_temperature" and kind is None:
            # Nobody heats a room to 180: a high value means the oven.
            kind = "oven" if number is not None and number > 35 else "thermostat"
        every = _asks_for_every(ctx.text)
        if kind is None and intent in ("turn_on", "turn_off") and every:
            kind = "light"
        if kind is None and intent == "turn_on" and find_phrase(ctx.text, DARK):
            kind = "light"   # "it's dark in the kitchen", "i can't see anything"
        room = room_in(ctx.text, ctx.entity(tracker, "room"))
        repairs = _repairs(tracker, ctx, kind=kind, room=room)
        for repair in repairs:   # the device or room that was misheard ("the thermal stat", "in the kit chin")
            kind, room = (repair.value, room) if repair.kind is Kind.DEVICE else (kind, repair.value)
        target = resolve(ctx.home, ctx.speaking, kind=kind, room=room, everywhere=every)
        if not target.ok:
            message = target.message
            if kind is None:
                message = ("Which device do you mean? I can control the lights, the oven, the "
                           "thermostat, the garage door, the front door lock, the coffee maker and the TV.")
            problem = Problem.NO_TARGET if kind is None or target.reason is None else target.reason.as_problem
            report_problem(dispatcher, problem, message)
            return []

        value: Any = None
        if verb == "set_brightness":
            value = brightness_for(ctx.text, number)
            if value is None:
                dispatcher.utter_message(text="To what brightness? Say a percentage, like 40 percent.")
                return []
        elif verb == "set_color":
            value = ctx.entity(tracker, "color") or find_phrase(ctx.text, load_catalog().colors)
            if value is None:
                dispatcher.utter_message(text="Which colour? For example: " + ", ".join(load_catalog().colors[:6]) + ".")
                return []
            value = value.lower()
        elif verb == "set_temperature":
            if number is None:
                dispatcher.utter_message(text=f"What temperature should I set the {str(kind).replace('_', ' ')} to?")
                return []
            value = number

        directives = [Directive(DirectiveVerb(verb), d.id, value) for d in target.devices]
        results = check_all(ctx.home, directives)
        done = [r for r in results if r.ok and not getattr(r, "unchanged", False)]
        already = [r for r in results if r.ok and getattr(r, "unchanged", False)]
        refused = [r for r in results if not r.ok]
        devices = {d.id: d for d in target.devices}
        parts: list[str] = []
        if done:
            subject = names([devices[r.directive.device_id] for r in done if r.directive is not None])
            parts.append(_done_sentence(verb, subject, value))
        if already:
            subject = names([devices[r.directive.device_id] for r in already if r.directive is not None])
            parts.append(f"{subject[0].upper()}{subject[1:]} {'is' if len(already) == 1 else 'are'} already {_state_word(verb, value)}.")
        for r in refused:
            parts.append(f"I can't do that: {r.message}")
        if refused:
            # Typed, as every other refusal: the log, analytics and a taught phrase's dry run
            # read the reason, never the sentence.
            reason = refused[0].refusal.value if refused[0].refusal else Problem.REFUSED.value
            report_problem(dispatcher, decode_problem(reason), " ".join(parts))
        else:
            dispatcher.utter_message(text=" ".join(parts))
        for repair in repairs:   # typed, for the log: the reply names the device it understood
            tag_repair(dispatcher, repair)
        send_directives(dispatcher, [r.directive for r in done if r.directive is not None])
        return []


# Words that ask for every device of a kind in the home, not only the room's.
EVERY = ["everything", "all", "every"]
# Words that ask for light without naming a device.
DARK = ["dark", "can't see", "cannot see", "can not see", "pitch black"]
# The words of a device request that are neither a device nor a room (what repair leaves out).
COMMAND_WORDS = frozenset("""
    turn switch on off set make put the a an my our please up down to in of at percent degrees degree dim dimmer
    brighten brighter bright brightness open close shut lock unlock start stop it all everything can you could would
    hey um uh change colour color temperature warmer cooler heat cool and too now right this that here there its
    light's is are be for me i want need get keep let
""".split())
_ROOM_AFTER = re.compile(r".*\bin\s+(?:the\s+)?(.+?)\s*$")


def _repairs(tracker: Tracker, ctx: Any, *, kind: str | None, room: str | None) -> list[Repair]:
    """The device kind (none was named) and the room (words after "in the" that are no room)
    repaired, when clearly ahead."""
    found: list[Repair] = []
    catalog = load_catalog()
    places = frozenset(w for ws in catalog.room_words.values() for p in ws for w in p.split())
    if kind is None:
        stop = COMMAND_WORDS | places | frozenset(catalog.colors)
        repair = repair_in_words(tracker, ctx, (Kind.DEVICE,), stop)
        if repair is not None:
            found.append(repair)
    if room is None:
        heard = ctx.entity(tracker, "room")
        match = _ROOM_AFTER.search(ctx.text.lower()) if heard is None else None
        if match is not None and set(match.group(1).split()) - COMMAND_WORDS - set(catalog.colors):
            heard = match.group(1)
        repair = repair_entity(tracker, ctx, heard, (Kind.ROOM,)) if heard else None
        if repair is not None:
            found.append(repair)
    return found


def _asks_for_every(text: str) -> bool:
    """ "turn off all the lights", "switch everything off" (not "all right, lights on")."""
    return find_phrase(re.sub(r"\ball right\b", " ", text, flags=re.IGNORECASE), EVERY) is not None


def _done_sentence(verb: str, subject: str, value: Any) -> str:
    if verb == "set_brightness":
        return f"Setting {subject} to {value}% brightness."
    if verb == "set_color":
        return f"Setting {subject} to {value}."
    if verb == "set_temperature":
        return f"Setting {subject} to {value} degrees."
    return f"{PAST[verb]} {subject}."


def _state_word(verb: str, value: Any) -> str:
    return {
        "turn_on": "on", "turn_off": "off", "open": "open", "close": "closed",
        "lock": "locked", "unlock": "unlocked",
    }.get(verb, f"at {value}")
