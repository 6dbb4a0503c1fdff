"""A short scripted conversation that shows ambient context at work; no input needed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.text import Text

from assistant.chat import BACKEND_ERRORS, ChatBackend
from assistant.chat.render import (
    describe_changes,
    home_panel,
    print_error,
    print_turn,
    snapshot_states,
    user_line,
)
from assistant.turn import TurnRequest

DEMO_USER = "demo"
EXIT_OK, EXIT_FAIL = 0, 1


@dataclass(frozen=True)
class DemoTurn:
    """One thing the demo user says, and to which device."""

    device_id: str
    text: str


@dataclass(frozen=True)
class DemoStep:
    """A titled step: optional manual state changes, then one or more turns."""

    title: str
    note: str
    turns: tuple[DemoTurn, ...]
    setup: dict[str, dict[str, Any]] = field(default_factory=dict)


SCRIPT: tuple[DemoStep, ...] = (
    DemoStep("The lights of the room you are in",
             "The kitchen speaker is in the kitchen, so only the kitchen light goes on.",
             (DemoTurn("kitchen_speaker", "turn on the lights"),)),
    DemoStep("With the oven on, 'temperature' means the oven",
             "We switch the oven on at 180 °C by hand first.",
             (DemoTurn("kitchen_speaker", "what is the temperature"),),
             setup={"oven": {"power": "on", "temperature": 180}}),
    DemoStep("A device with a screen plays the film",
             "The living-room TV has a screen.",
             (DemoTurn("living_room_tv", "play the hunger games"),)),
    DemoStep("A speaker plays the audiobook",
             "Same words, but the kitchen speaker has no screen.",
             (DemoTurn("kitchen_speaker", "play the hunger games"),)),
    DemoStep("Brewing means the coffee maker",
             "No device named: only the coffee maker brews.",
             (DemoTurn("kitchen_speaker", "start brewing"),)),
    DemoStep("Which Wilkerson?",
             "Two towns share the name, so the assistant asks.",
             (DemoTurn("kitchen_speaker", "what's the weather in Wilkerson"),
              DemoTurn("kitchen_speaker", "Washington"))),
    DemoStep("Asking about a device",
             "A question, not a command: nothing changes.",
             (DemoTurn("kitchen_speaker", "is the garage door open?"),)),
)


def _setup_line(device_id: str, values: dict[str, Any]) -> str:
    return f"/set {device_id} " + " ".join(f"{key}={value}" for key, value in values.items())


def _play_step(backend: ChatBackend, console: Console, step: DemoStep) -> bool:
    """Play one step; False (after printing why) when something failed."""
    home = backend.home
    for device_id, values in step.setup.items():
        before = snapshot_states(home)
        console.print(Text(f"setup: {_setup_line(device_id, values)}", style="magenta"))
        try:
            outcome = home.set_state(device_id, dict(values))
        except BACKEND_ERRORS as error:
            print_error(console, f"setup failed: {error}")
            return False
        if not outcome.ok:
            print_error(console, f"setup refused: {outcome.message}")
            return False
        changes = describe_changes(before, home)
        if changes is not None:
            console.print(changes)
    for turn in step.turns:
        home = backend.home
        device = home.devices.get(turn.device_id)
        console.print(user_line(DEMO_USER, device.name if device else turn.device_id, turn.text))
        before = snapshot_states(home)
        try:
            result = backend.handle(TurnRequest(turn.text, user_id=DEMO_USER, device_id=turn.device_id))
        except BACKEND_ERRORS as error:
            print_error(console, f"{type(error).__name__}: {error}")
            return False
        print_turn(console, result, before=before, home=backend.home)
    return True


def run_demo(backend: ChatBackend, *, console: Console | None = None) -> int:
    """Play the demo script through the backend and print it.

    Args:
        backend: plays turns and holds the home (the runtime, or a fake).
        console: rich console for output (a new one by default).

    Returns:
        0 when every step ran, 1 when the backend (or a setup change) failed.
    """
    console = console or Console()
    reset = getattr(backend, "reset_user", None)
    if callable(reset):
        reset(DEMO_USER)  # a fresh conversation: no slots left from an earlier demo
    console.rule("[bold]Smart-home assistant: demo[/]")
    console.print("The same words mean different things depending on the device you speak to, "
                  "the state of the home and the time of day.", style="dim")
    console.print(home_panel(backend.home))
    try:
        for number, step in enumerate(SCRIPT, start=1):
            console.print()
            console.rule(f"[bold]{number}/{len(SCRIPT)}  {step.title}[/]", align="left")
            console.print(Text(step.note, style="dim italic"))
            if not _play_step(backend, console, step):
                console.print("The demo stopped.", style="bold red")
                return EXIT_FAIL
    except KeyboardInterrupt:
        print_error(console, "Demo interrupted.")
        return EXIT_FAIL
    console.print()
    console.rule("[bold]The home after the demo[/]")
    console.print(home_panel(backend.home))
    return EXIT_OK
