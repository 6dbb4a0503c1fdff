"""The chat's input: a prompt-toolkit line reader with history and completion on a terminal,
a plain echoing reader on piped input, and what they raise (`LineCancelled`, EOFError,
KeyboardInterrupt) for the loop in `assistant.chat` to act on."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.history import FileHistory
from rich.console import Console
from rich.text import Text

from assistant.chat import commands as cc
from assistant.context import safe_for_terminal

if TYPE_CHECKING:
    from assistant.chat import Chat

InputFn = Callable[[str], str]


class LineCancelled(Exception):
    """Ctrl-C on a line with text: the line is dropped and a fresh prompt shown."""


def speaking_devices(home: Any) -> list[str]:
    """Ids of the devices a user can talk to."""
    return sorted(d.id for d in home.devices.values() if getattr(d, "can_speak", True))


class SlashCompleter(Completer):
    """Completes command names, device ids after /device and /set, and state keys after /set ID."""

    def __init__(self, home: Callable[[], Any]) -> None:
        self._home = home

    def get_completions(self, document: Document,
                        complete_event: CompleteEvent) -> Iterator[Completion]:
        """Yield completions for the text before the cursor."""
        text = document.text_before_cursor
        if not text.startswith("/"):
            return
        words = text.split(" ")
        if len(words) == 1:
            for spec in cc.COMMANDS:
                if spec.name.startswith(text.lower()):
                    yield Completion(spec.name, -len(text), display_meta=spec.summary)
            return
        name, current = words[0].lower(), words[-1]
        home = self._home()
        candidates: Iterable[str] = ()
        if name == "/device" and len(words) == 2:
            candidates = speaking_devices(home)
        elif name == "/set" and len(words) == 2:
            candidates = sorted(home.devices)
        elif name == "/set" and "=" not in current:
            device = home.devices.get(words[1])
            candidates = [f"{key}=" for key in sorted(device.state)] if device is not None else ()
        for candidate in candidates:
            if candidate.startswith(current):
                yield Completion(candidate, -len(current))


class SafeFileHistory(FileHistory):
    """A prompt-toolkit FileHistory whose writes never end the chat: the text is made
    encodable first (a lone surrogate made the plain one raise UnicodeEncodeError), and a
    history file that cannot be written is skipped, with one note on the console."""

    def __init__(self, filename: str, console: Console | None = None) -> None:
        super().__init__(filename)
        self._console = console
        self.failed = False

    def store_string(self, string: str) -> None:
        """Append ``string`` to the file, made encodable; an OSError is noted once."""
        try:
            super().store_string(safe_for_terminal(string))
        except OSError as error:
            if not self.failed and self._console is not None:
                self._console.print(Text(f"(history not saved: {error})", style="dim"))
            self.failed = True


def make_prompt_reader(chat: Chat, history_path: Path, *, pt_input: Any = None,
                       pt_output: Any = None) -> InputFn:
    """A line reader on a prompt-toolkit session with file history and completion.

    Ctrl-C on a line with text raises `LineCancelled` (fresh prompt, like a shell); on an
    empty line it raises KeyboardInterrupt. Ctrl-D on an empty line raises EOFError.

    Args:
        chat: the chat (for the home the completer reads).
        history_path: the history file; in-memory history if it cannot be used.
        pt_input: prompt-toolkit input (tests pass a pipe).
        pt_output: prompt-toolkit output (tests pass a DummyOutput).
    """
    from prompt_toolkit import PromptSession
    from prompt_toolkit.formatted_text import FormattedText
    from prompt_toolkit.history import History, InMemoryHistory
    from prompt_toolkit.key_binding import KeyBindings

    history: History
    try:
        history_path.parent.mkdir(parents=True, exist_ok=True)
        history_path.touch(exist_ok=True)
        history = SafeFileHistory(str(history_path), chat.console)
    except OSError as error:
        chat.console.print(Text(f"(history not saved: {error})", style="dim"))
        history = InMemoryHistory()

    bindings = KeyBindings()

    @bindings.add("c-c")
    def _interrupt(event: Any) -> None:
        error = LineCancelled() if event.current_buffer.text else KeyboardInterrupt()
        event.app.exit(exception=error, style="class:aborting")

    session: PromptSession[str] = PromptSession(
        history=history, completer=SlashCompleter(lambda: chat.home), complete_while_typing=True,
        key_bindings=bindings, input=pt_input, output=pt_output,
    )

    def read(prompt: str) -> str:  # the plain prompt, styled from the chat's state
        message = FormattedText([("ansigreen bold", chat.user_id), ("", "@"),
                                 ("ansicyan bold", chat.device_id), ("", "> ")])
        return safe_for_terminal(session.prompt(message))

    return read


def make_stdin_reader(console: Console) -> InputFn:
    """A line reader for piped input: echoes each line so the transcript reads well. Bytes
    that are not UTF-8 become U+FFFD instead of ending the chat."""
    stream = getattr(sys.stdin, "buffer", None)

    def read(prompt: str) -> str:
        raw = stream.readline() if stream is not None else sys.stdin.readline()
        if not raw:
            raise EOFError
        line = safe_for_terminal(raw).rstrip("\r\n")
        console.print(Text(prompt + line, style="dim"))
        return line

    return read
