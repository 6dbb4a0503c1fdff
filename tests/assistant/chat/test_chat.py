"""The chat loop over scripted input, with a fake backend (no terminal, no Rasa)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.chat import GOODBYE, Chat, LineCancelled, run_chat
from assistant.chat.commands import COMMANDS
from assistant.turn import TurnResult
from tests.assistant.chat.test_chat_fakes import FakeBackend, ScriptedInput, lights_on, make_console


def chat(backend: FakeBackend, tmp_path: Path, *lines: str | BaseException | type[BaseException],
         device_id: str = "kitchen_speaker") -> tuple[int, str, ScriptedInput]:
    console, buffer = make_console()
    read = ScriptedInput(*lines)
    code = run_chat(backend, user_id="alice", device_id=device_id, data_dir=tmp_path,
                    console=console, input_fn=read)
    return code, buffer.getvalue(), read


def test_replies_are_printed_and_turn_gets_user_and_device(tmp_path: Path) -> None:
    backend = FakeBackend({"turn on the lights": lights_on})
    code, out, read = chat(backend, tmp_path, "turn on the lights")
    assert code == 0
    assert "bot: Turning on the kitchen light." in out
    assert backend.calls == [{"text": "turn on the lights", "user_id": "alice",
                              "device_id": "kitchen_speaker", "barge_in": False,
                              "asr_confidence": None}]
    assert read.prompts[0] == "alice@kitchen_speaker> "


def test_changed_devices_are_shown_after_a_turn(tmp_path: Path) -> None:
    backend = FakeBackend({"turn on the lights": lights_on})
    _, out, _ = chat(backend, tmp_path, "turn on the lights", "hello")
    assert "kitchen light: off → on, 100%, white" in out
    # the echo turn changed nothing: the change line appears once
    assert out.count("kitchen light: off →") == 1


def test_welcome_shows_the_home(tmp_path: Path) -> None:
    _, out, _ = chat(FakeBackend(), tmp_path)
    assert "speaking to the kitchen speaker" in out
    assert "front door lock" in out and "locked" in out
    assert "07:30" in out and "morning" in out


def test_device_switches_the_device_passed_to_handle(tmp_path: Path) -> None:
    backend = FakeBackend()
    _, out, read = chat(backend, tmp_path, "one", "/device living_room_tv", "two")
    assert [c["device_id"] for c in backend.calls] == ["kitchen_speaker", "living_room_tv"]
    assert "Now speaking to the living room TV (living room, has a screen)" in out
    assert read.prompts[-1] == "alice@living_room_tv> "


@pytest.mark.parametrize(("device", "problem"),
                         [("toaster", "There is no device 'toaster'"),
                          ("kitchen_light", "There is no microphone on 'kitchen_light'")])
def test_device_that_cannot_listen_lists_speaking_devices(tmp_path: Path, device: str,
                                                          problem: str) -> None:
    backend = FakeBackend()
    _, out, _ = chat(backend, tmp_path, f"/device {device}", "hi")
    assert problem in out
    assert "Devices you can talk to: kitchen_speaker, living_room_tv" in out
    assert backend.calls[0]["device_id"] == "kitchen_speaker"


def test_user_switches_the_user(tmp_path: Path) -> None:
    backend = FakeBackend()
    _, out, read = chat(backend, tmp_path, "/user bob", "hi", f"/user {'x' * 65}", "again")
    assert [c["user_id"] for c in backend.calls] == ["bob", "bob"]
    assert "Now speaking as bob" in out
    assert "invalid user id" in out
    assert read.prompts[1] == "bob@kitchen_speaker> "


def test_barge_marks_only_the_next_turn(tmp_path: Path) -> None:
    backend = FakeBackend()
    _, out, _ = chat(backend, tmp_path, "one", "/barge", "two", "three")
    assert [c["barge_in"] for c in backend.calls] == [False, True, False]
    assert "next message is a barge-in" in out


def test_debug_shows_intent_entities_slots_actions_and_toggles(tmp_path: Path) -> None:
    backend = FakeBackend({"turn on the lights": lights_on})
    _, out, _ = chat(backend, tmp_path, "/debug", "turn on the lights", "/debug", "hello")
    assert "Debug on." in out and "Debug off." in out
    assert "turn_on (0.97)" in out
    assert "device=lights" in out
    assert "room=kitchen" in out and "unset" not in out
    assert "action_turn_on" in out
    assert "turn_on kitchen_light" in out
    assert "echo (0.50)" not in out  # debug was off for the second turn


def test_debug_off_by_default(tmp_path: Path) -> None:
    _, out, _ = chat(FakeBackend({"turn on the lights": lights_on}), tmp_path, "turn on the lights")
    assert "turn_on (0.97)" not in out


def test_notice_and_refusals_are_shown(tmp_path: Path) -> None:
    result = TurnResult(text="x", replies=["I couldn't do that: too hot"],
                        refused=[("set_temperature oven 400", "INVALID_VALUE", "too hot")],
                        notice="Your message was 900 characters; I read the first 500.")
    _, out, _ = chat(FakeBackend({"x": result}), tmp_path, "x")
    assert "note: Your message was 900 characters" in out
    assert "✗ refused set_temperature oven 400 (INVALID_VALUE): too hot" in out


@pytest.mark.parametrize(
    ("error", "shown"),
    [
        (LookupError("there is no device 'attic' in this home"), "no device 'attic'"),
        (KeyError("attic"), "attic (/device ID switches the device)"),
        (ConnectionError("the action server is down"), "Cannot reach the assistant's actions"),
        (ValueError("invalid user id ''"), "invalid user id"),
    ],
)
def test_backend_errors_keep_the_chat_running(tmp_path: Path, error: Exception, shown: str) -> None:
    backend = FakeBackend({"boom": error})
    code, out, _ = chat(backend, tmp_path, "boom", "after")
    assert code == 0
    assert shown in out
    assert "Traceback" not in out
    assert "bot: echo: after" in out


def test_interrupt_during_a_turn_keeps_the_chat_running(tmp_path: Path) -> None:
    code, out, _ = chat(FakeBackend({"slow": KeyboardInterrupt()}), tmp_path, "slow", "after")
    assert code == 0
    assert "Interrupted" in out and "bot: echo: after" in out


def test_eof_leaves_with_zero_and_goodbye(tmp_path: Path) -> None:
    code, out, read = chat(FakeBackend(), tmp_path, "hello")
    assert code == 0
    assert out.rstrip().endswith(GOODBYE)
    assert len(read.prompts) == 2  # the second read raised EOFError


@pytest.mark.parametrize("command", ["/quit", "/exit"])
def test_quit_leaves_before_the_remaining_lines(tmp_path: Path, command: str) -> None:
    backend = FakeBackend()
    code, out, read = chat(backend, tmp_path, command, "never sent")
    assert code == 0 and GOODBYE in out
    assert backend.calls == [] and read.left == 1


def test_one_ctrl_c_continues_and_two_leave(tmp_path: Path) -> None:
    backend = FakeBackend()
    code, out, read = chat(backend, tmp_path, KeyboardInterrupt, "still here",
                           KeyboardInterrupt, KeyboardInterrupt, "never sent")
    assert code == 0
    assert [c["text"] for c in backend.calls] == ["still here"]
    assert "Ctrl-C again or Ctrl-D to leave" in out
    assert out.rstrip().endswith(GOODBYE)
    assert read.left == 1


def test_cancelled_line_resets_the_ctrl_c_count(tmp_path: Path) -> None:
    backend = FakeBackend()
    _, _, read = chat(backend, tmp_path, KeyboardInterrupt, LineCancelled, KeyboardInterrupt, "sent")
    assert [c["text"] for c in backend.calls] == ["sent"]
    assert read.left == 0


def test_blank_lines_are_not_sent(tmp_path: Path) -> None:
    backend = FakeBackend()
    chat(backend, tmp_path, "", "   ", "hi")
    assert [c["text"] for c in backend.calls] == ["hi"]


def test_set_calls_set_state_and_shows_the_change(tmp_path: Path) -> None:
    backend = FakeBackend()
    _, out, _ = chat(backend, tmp_path, "/set kitchen_light power=on brightness=60 color=blue")
    assert backend.home.set_state_calls == [
        ("kitchen_light", {"power": "on", "brightness": 60, "color": "blue"})]
    assert "kitchen light: off → on, 60%, blue" in out


@pytest.mark.parametrize(("line", "shown"),
                         [("/set oven temperature=400", "Refused: temperature goes from 50 to 290"),
                          ("/set toaster power=on", "Refused: there is no device 'toaster'")])
def test_set_refusal_is_shown(tmp_path: Path, line: str, shown: str) -> None:
    _, out, _ = chat(FakeBackend(), tmp_path, line, "hi")
    assert shown in out
    assert "bot: echo: hi" in out


def test_set_without_change_says_so(tmp_path: Path) -> None:
    _, out, _ = chat(FakeBackend(), tmp_path, "/set garage_door position=closed")
    assert "Nothing changed" in out


def test_time_moves_the_clock_and_shows_events(tmp_path: Path) -> None:
    backend = FakeBackend()
    _, out, _ = chat(backend, tmp_path, "/time 22:30")
    assert backend.home.set_time_calls == ["22:30"]
    assert "The clock now shows 22:30 (night)" in out
    assert "alarm rang" in out


def test_home_prints_every_device(tmp_path: Path) -> None:
    backend = FakeBackend()
    console, buffer = make_console()
    Chat(backend, console, "alice", "kitchen_speaker").handle_line("/home")
    out = buffer.getvalue()
    for device in backend.home.devices.values():
        assert device.name in out
    assert "living room" in out and "07:30" in out


def test_help_lists_every_command(tmp_path: Path) -> None:
    _, out, _ = chat(FakeBackend(), tmp_path, "/help")
    for spec in COMMANDS:
        assert spec.usage in out


@pytest.mark.parametrize(("line", "shown"),
                         [("/frobnicate", "Unknown command /frobnicate, /help lists them"),
                          ("/time soon", "'soon' is not a time like 07:30. Usage: /time HH:MM")])
def test_bad_commands_print_a_message_and_continue(tmp_path: Path, line: str, shown: str) -> None:
    backend = FakeBackend()
    code, out, _ = chat(backend, tmp_path, line, "hi")
    assert code == 0 and shown in out
    assert [c["text"] for c in backend.calls] == ["hi"]


def test_unknown_starting_device_is_a_usage_error(tmp_path: Path) -> None:
    code, out, read = chat(FakeBackend(), tmp_path, "hi", device_id="attic")
    assert code == 2
    assert "Cannot talk to 'attic'" in out and "kitchen_speaker" in out
    assert read.prompts == []
