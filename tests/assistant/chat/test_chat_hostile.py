"""The chat survives any byte sequence at its prompt, history writes included (issue 18)."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from prompt_toolkit.input.base import PipeInput
from prompt_toolkit.output import DummyOutput

from assistant.chat import Chat, SafeFileHistory, make_prompt_reader, make_stdin_reader
from tests.assistant.chat.test_chat_fakes import FakeBackend, make_console

HOSTILE_LINES = ["\udcff", "a\ud83dz", "\udfff hello", "\ud800", "a\ud83dz set an alarm for 7 am",
                 "\x00\x1b[2J", "\ufffe\uffff", "x" * 100_000]


def test_history_write_of_a_surrogate_does_not_raise(tmp_path: Path) -> None:
    path = tmp_path / "chat_history"
    history = SafeFileHistory(str(path))
    history.store_string("turn \udcff on")
    assert "+turn \ufffd on" in path.read_text(encoding="utf-8")


def test_history_that_cannot_be_written_is_noted_once(tmp_path: Path) -> None:
    console, out = make_console()
    history = SafeFileHistory(str(tmp_path / "missing" / "chat_history"), console)
    history.store_string("one")
    history.store_string("two")
    assert history.failed
    assert out.getvalue().count("history not saved") == 1


def test_a_stray_byte_at_the_prompt_is_read_and_stored(tmp_path: Path, pipe: PipeInput) -> None:
    console, _ = make_console()
    chat = Chat(FakeBackend(), console, "alice", "kitchen_speaker")
    read = make_prompt_reader(chat, tmp_path / "chat_history", pt_input=pipe, pt_output=DummyOutput())
    pipe.send_bytes(b"turn \xff on\r")
    line = read(chat.prompt())
    line.encode("utf-8")
    assert line.startswith("turn ") and line.endswith(" on")
    assert "+turn " in (tmp_path / "chat_history").read_text(encoding="utf-8")


def test_chat_keeps_going_through_hostile_lines_until_quit() -> None:
    console, out = make_console()
    backend = FakeBackend()
    chat = Chat(backend, console, "alice", "kitchen_speaker")
    lines = iter(HOSTILE_LINES + ["/\udcff", "/quit", "never read"])
    assert chat.run(lambda prompt: next(lines)) == 0
    assert next(lines) == "never read"
    said = [c["text"] for c in backend.calls]
    assert len(said) == len(HOSTILE_LINES)
    for text in said:
        text.encode("utf-8")
    assert "Goodbye" in out.getvalue()


def test_piped_input_with_invalid_utf8(monkeypatch: pytest.MonkeyPatch) -> None:
    console, _ = make_console()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"play \xff\xfe jazz\n\x80\n")))
    read = make_stdin_reader(console)
    assert read("> ") == "play \ufffd\ufffd jazz"
    assert read("> ") == "\ufffd"
    with pytest.raises(EOFError):
        read("> ")
