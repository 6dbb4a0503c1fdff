"""The interactive terminal chat: prompt-toolkit for input, rich for output.

`run_chat(backend, user_id=..., device_id=..., data_dir=...)` reads lines until Ctrl-D,
/quit or a second Ctrl-C on an empty line. Lines starting with "/" are commands
(`assistant.chat.commands`); anything else is said to the assistant through the backend.

The loop and its commands are here; reading lines is in `assistant.chat.prompt` (its names
are re-exported).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from assistant.chat import commands as cc
from assistant.chat.prompt import (
    InputFn,
    LineCancelled,
    SafeFileHistory,
    SlashCompleter,
    make_prompt_reader,
    make_stdin_reader,
    speaking_devices,
)
from assistant.chat.render import (
    describe_changes,
    events_text,
    home_panel,
    print_error,
    print_turn,
    snapshot_states,
)
from assistant.context import safe_for_terminal
from assistant.turn import TurnHandler, TurnRequest, TurnResult

__all__ = ["BACKEND_ERRORS", "GOODBYE", "Chat", "ChatBackend", "InputFn", "LineCancelled", "SafeFileHistory",
           "SlashCompleter", "help_table", "make_prompt_reader", "make_stdin_reader", "run_chat",
           "speaking_devices"]

HISTORY_FILE = "chat_history"
GOODBYE = "Goodbye!"
EXIT_OK, EXIT_USAGE = 0, 2

# What the backend may raise in a turn: an unknown device (the runtime's UnknownDeviceError
# is a LookupError), the action server down (a ConnectionError), a bad user id (ValueError).
BACKEND_ERRORS: tuple[type[Exception], ...] = (LookupError, ConnectionError, ValueError)


class ChatBackend(TurnHandler, Protocol):
    """What the chat needs: a turn handler with a home (the runtime, or a fake in tests).

    `handle` raises LookupError (unknown device), ConnectionError (action server down)
    or ValueError (bad input such as a user id); the chat reports them and goes on.
    """

    home: Any


def help_table() -> Table:
    """The slash commands and what they do."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for spec in cc.COMMANDS:
        table.add_row(Text(spec.usage), Text(spec.summary))
    table.add_row(Text("Ctrl-C"), Text("clear the line; twice on an empty line leaves"))
    return table


@dataclass
class Chat:
    """One chat session's state and its handling of lines.

    Attributes:
        backend: plays the turns and holds the home.
        console: where output goes.
        user_id: who is speaking.
        device_id: the device spoken to.
        debug: show intent, entities, slots and actions after each turn.
        barge_next: the next message is a barge-in.
    """

    backend: ChatBackend
    console: Console
    user_id: str
    device_id: str
    debug: bool = False
    barge_next: bool = False

    @property
    def home(self) -> Any:
        """The live home (read each time: the runtime may replace it)."""
        return self.backend.home

    def prompt(self) -> str:
        """The prompt text, "user@device> "."""
        return f"{self.user_id}@{self.device_id}> "

    def device_name(self, device_id: str | None = None) -> str:
        """A device's name, or its id when the home does not know it."""
        device = self.home.devices.get(device_id or self.device_id)
        return device.name if device is not None else (device_id or self.device_id)

    def welcome(self) -> None:
        """Print who is speaking to what, how to get help, and the home."""
        self.console.rule("[bold]Smart-home assistant[/]")
        self.console.print(
            f"You are [bold]{escape(self.user_id)}[/], speaking to the "
            f"[bold]{escape(self.device_name())}[/]. "
            "Type a request, [bold]/help[/] for commands, Ctrl-D to leave."
        )
        self.console.print(home_panel(self.home))

    def run(self, read: InputFn) -> int:
        """Read and handle lines until the user leaves; return the exit code (0)."""
        armed = False  # a Ctrl-C on an empty line was pressed; a second one leaves
        while True:
            try:
                line = read(self.prompt())
            except EOFError:
                break
            except LineCancelled:
                armed = False
                continue
            except KeyboardInterrupt:
                if armed:
                    break
                armed = True
                self.console.print("(Ctrl-C again or Ctrl-D to leave)", style="dim")
                continue
            armed = False
            # A stray byte reaches us as a lone surrogate (prompt-toolkit decodes with
            # surrogateescape): make the line printable first; the runtime drops the rest.
            line = safe_for_terminal(line)
            try:
                keep_going = self.handle_line(line)
            except UnicodeError as error:
                print_error(self.console, f"That line could not be handled: {_message(error)}")
                continue
            if not keep_going:
                break
        self.console.print(GOODBYE, style="bold")
        return EXIT_OK

    def handle_line(self, line: str) -> bool:
        """Handle one input line; return False when the chat should end."""
        if not line.strip():
            return True
        if cc.is_command(line):
            return self.run_command(cc.parse_command(line))
        self.say(line)
        return True

    def say(self, text: str) -> TurnResult | None:
        """Send text to the assistant and print what happened; None if the backend failed."""
        barge_in, self.barge_next = self.barge_next, False
        home = self.home
        before = snapshot_states(home)
        try:
            result = self.backend.handle(TurnRequest(text, user_id=self.user_id, device_id=self.device_id,
                                                     barge_in=barge_in))
        except LookupError as error:
            print_error(self.console, f"{_message(error)} (/device ID switches the device)")
            return None
        except ConnectionError as error:
            print_error(self.console, f"Cannot reach the assistant's actions: {_message(error)}")
            return None
        except ValueError as error:
            print_error(self.console, _message(error))
            return None
        except KeyboardInterrupt:
            print_error(self.console, "Interrupted; that turn may be incomplete.")
            return None
        print_turn(self.console, result, before=before, home=self.home, debug=self.debug)
        return result

    # -- commands ---------------------------------------------------------------------

    def run_command(self, command: cc.Command) -> bool:
        """Carry out a parsed command; return False for /quit."""
        out = self.console
        if isinstance(command, cc.Quit):
            return False
        if isinstance(command, (cc.Invalid, cc.Unknown)):
            print_error(out, command.message)
        elif isinstance(command, cc.Help):
            out.print(help_table())
        elif isinstance(command, cc.ShowHome):
            out.print(home_panel(self.home))
        elif isinstance(command, cc.ToggleDebug):
            self.debug = not self.debug
            out.print(f"Debug {'on' if self.debug else 'off'}.", style="magenta")
        elif isinstance(command, cc.Barge):
            self.barge_next = True
            out.print("Your next message is a barge-in.", style="magenta")
        elif isinstance(command, cc.SwitchDevice):
            self._switch_device(command.device_id)
        elif isinstance(command, cc.SwitchUser):
            self._switch_user(command.user_id)
        elif isinstance(command, cc.SetState):
            self._set_state(command)
        elif isinstance(command, cc.SetTime):
            self._set_time(command.hhmm)
        return True

    def _switch_device(self, device_id: str) -> None:
        device = self.home.devices.get(device_id)
        if device is None or not getattr(device, "can_speak", True):
            problem = "no device" if device is None else "no microphone on"
            print_error(self.console, f"There is {problem} {device_id!r}. "
                        f"Devices you can talk to: {', '.join(speaking_devices(self.home))}")
            return
        self.device_id = device_id
        screen = ", has a screen" if getattr(device, "has_screen", False) else ""
        room = str(device.room).replace("_", " ")
        self.console.print(f"Now speaking to the [bold]{escape(device.name)}[/] "
                           f"({escape(room)}{screen}).")

    def _switch_user(self, user_id: str) -> None:
        from assistant.context import check_user_id

        try:
            check_user_id(user_id)
        except ValueError as error:
            print_error(self.console, _message(error))
            return
        self.user_id = user_id
        self.console.print(f"Now speaking as [bold]{escape(user_id)}[/].")

    def _set_state(self, command: cc.SetState) -> None:
        home = self.home
        before = snapshot_states(home)
        try:
            result = home.set_state(command.device_id, dict(command.values))
        except (LookupError, ValueError, TypeError) as error:
            print_error(self.console, f"/set failed: {_message(error)}")
            return
        if not result.ok:
            print_error(self.console, f"Refused: {result.message}")
            return
        changes = describe_changes(before, home)
        if changes is None:
            self.console.print(Text(f"Nothing changed: {command.device_id} was already like that.",
                                    style="dim"))
        else:
            self.console.print(changes)

    def _set_time(self, hhmm: str) -> None:
        home = self.home
        before = snapshot_states(home)
        started = home.clock.now
        try:
            events = home.set_time(hhmm)
        except ValueError as error:
            print_error(self.console, _message(error))
            return
        automations = getattr(self.backend, "run_automations", None)
        if callable(automations):
            automations(started)   # the routines users accepted (coffee after the alarm)
        now = home.clock.now
        tod = getattr(home.clock.time_of_day, "value", home.clock.time_of_day)
        self.console.print(f"The clock now shows [bold]{now:%H:%M}[/] ({escape(str(tod))}).")
        for extra in (events_text(list(events or [])), describe_changes(before, home)):
            if extra is not None:
                self.console.print(extra)


def _message(error: BaseException) -> str:
    text = str(error.args[0]) if isinstance(error, KeyError) and error.args else str(error)
    return text or type(error).__name__


def run_chat(
    backend: ChatBackend,
    *,
    user_id: str,
    device_id: str,
    data_dir: Path,
    console: Console | None = None,
    input_fn: InputFn | None = None,
) -> int:
    """Run the interactive chat until the user leaves.

    Args:
        backend: plays turns (`handle`) and holds the live `home`.
        user_id: who speaks first (/user switches).
        device_id: the device spoken to first (/device switches).
        data_dir: where the prompt history (`chat_history`) is kept.
        console: rich console for output (a new one by default).
        input_fn: reads a line given the prompt text, raising EOFError at the end (Ctrl-D) and
            KeyboardInterrupt for Ctrl-C; a prompt-toolkit session on a terminal by default.

    Returns:
        0 when the user leaves; 2 when the starting device cannot be spoken to.
    """
    console = console or Console()
    chat = Chat(backend=backend, console=console, user_id=user_id, device_id=device_id)
    device = chat.home.devices.get(device_id)
    if device is None or not getattr(device, "can_speak", True):
        print_error(console, f"Cannot talk to {device_id!r}. Devices you can talk to: "
                    + ", ".join(speaking_devices(chat.home)))
        return EXIT_USAGE
    if input_fn is None:
        if sys.stdin.isatty() and sys.stdout.isatty():
            input_fn = make_prompt_reader(chat, Path(data_dir) / HISTORY_FILE)
        else:
            input_fn = make_stdin_reader(console)
    chat.welcome()
    return chat.run(input_fn)
