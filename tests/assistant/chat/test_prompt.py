"""The prompt-toolkit side of the chat: the line reader (keys through a pipe) and completion."""

from __future__ import annotations

from pathlib import Path

import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from prompt_toolkit.input.base import PipeInput
from prompt_toolkit.output import DummyOutput

from assistant.chat import Chat, InputFn, LineCancelled, SlashCompleter, make_prompt_reader
from tests.assistant.chat.test_chat_fakes import FakeBackend, FakeHome, make_console


@pytest.fixture
def chat() -> Chat:
    console, _ = make_console()
    return Chat(FakeBackend(), console, "alice", "kitchen_speaker")


def reader(chat: Chat, tmp_path: Path, pipe: PipeInput) -> InputFn:
    return make_prompt_reader(chat, tmp_path / "data" / "chat_history", pt_input=pipe,
                              pt_output=DummyOutput())


def test_reads_a_line_and_keeps_history(chat: Chat, tmp_path: Path, pipe: PipeInput) -> None:
    read = reader(chat, tmp_path, pipe)
    pipe.send_text("turn on the lights\r")
    assert read(chat.prompt()) == "turn on the lights"
    assert "turn on the lights" in (tmp_path / "data" / "chat_history").read_text()


def test_ctrl_c_with_text_cancels_the_line(chat: Chat, tmp_path: Path, pipe: PipeInput) -> None:
    read = reader(chat, tmp_path, pipe)
    pipe.send_text("half a sentence\x03")
    with pytest.raises(BaseException) as caught:  # not a bare KeyboardInterrupt: that would leave
        read(chat.prompt())
    assert caught.type is LineCancelled
    pipe.send_text("next\r")
    assert read(chat.prompt()) == "next"


def test_ctrl_c_on_empty_line_interrupts(chat: Chat, tmp_path: Path, pipe: PipeInput) -> None:
    read = reader(chat, tmp_path, pipe)
    pipe.send_text("\x03")
    with pytest.raises(KeyboardInterrupt):
        read(chat.prompt())


def test_ctrl_d_on_empty_line_ends(chat: Chat, tmp_path: Path, pipe: PipeInput) -> None:
    read = reader(chat, tmp_path, pipe)
    pipe.send_text("\x04")
    with pytest.raises(EOFError):
        read(chat.prompt())


def test_chat_loop_over_real_keys_leaves_cleanly(chat: Chat, tmp_path: Path, pipe: PipeInput) -> None:
    keys = iter(["hello\r", "oops\x03", "\x03", "\x03"])
    read = reader(chat, tmp_path, pipe)

    def typed(prompt: str) -> str:
        pipe.send_text(next(keys))
        return read(prompt)

    assert chat.run(typed) == 0
    assert [c["text"] for c in chat.backend.calls] == ["hello"]
    assert next(keys, None) is None  # the cancelled line did not count as the first Ctrl-C


def completions(text: str) -> list[str]:
    completer = SlashCompleter(lambda: FakeHome())
    return [c.text for c in completer.get_completions(Document(text), CompleteEvent())]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/de", ["/device", "/debug"]),
        ("/q", ["/quit"]),
        ("/device ", ["kitchen_speaker", "living_room_tv"]),
        ("/device li", ["living_room_tv"]),
        ("/set ov", ["oven"]),
        ("/set oven p", ["power="]),
        ("/set oven power=on t", ["target_temperature=", "temperature="]),
        ("/set toaster p", []),
        ("turn on", []),
        ("/time 1", []),
    ],
)
def test_completer(text: str, expected: list[str]) -> None:
    assert completions(text) == expected
