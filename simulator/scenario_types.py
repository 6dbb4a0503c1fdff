"""Scenario files: the typed model a parsed file becomes (`scenario_model` parses it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class ScenarioError(ValueError):
    """A scenario file that can't be read; the message is ``"<file>:<line>: <problem>"``."""

    def __init__(self, file: str | Path, line: int, problem: str) -> None:
        super().__init__(f"{file}:{line}: {problem}")
        self.file = str(file)
        self.line = line
        self.problem = problem


@dataclass
class ScenarioUser:
    """A user of the scenario.

    Attributes:
        id: the user id the runtime receives.
        preferences: the hidden truth a simulated user answers from.
    """

    id: str
    preferences: dict[str, Any] = field(default_factory=dict)


@dataclass
class PreferenceExpectation:
    """A preference the store must hold after the turn (``value`` None: nothing stored)."""

    key: str
    value: Any


@dataclass
class Expectation:
    """What must hold after a turn; None (or empty) means "not checked".

    Attributes:
        intent: the NLU intent name.
        reply: a regular expression searched for (``re.search``) in the joined replies.
        state: device id -> state keys that must match (a subset of the device's state).
        preference: a preference the store must hold for the turn's user.
    """

    intent: str | None = None
    reply: str | None = None
    state: dict[str, dict[str, Any]] = field(default_factory=dict)
    preference: PreferenceExpectation | None = None

    def is_empty(self) -> bool:
        """True when nothing is checked."""
        return (self.intent is None and self.reply is None and not self.state
                and self.preference is None)


@dataclass
class ScenarioTurn:
    """One user turn.

    Attributes:
        index: the turn's number, from 1.
        line: the line the turn starts on.
        user: the user id.
        device: the device spoken to.
        say: what the user says (with ``say_hwu64: ID``, that HWU64 row as speech).
        asr: what the speech recogniser hears instead (sent to the runtime), or None.
        set: device id -> state values set by hand before the turn.
        barge_in: the user interrupted the assistant.
        expect: what must hold after the turn.
        lines: where each part is ("say", "set.oven", "expect.intent",
            "expect.state.oven.power", "expect.preference", ...), for failure messages.
    """

    index: int
    line: int
    user: str
    device: str
    say: str
    asr: str | None = None
    set: dict[str, dict[str, Any]] = field(default_factory=dict)
    barge_in: bool = False
    expect: Expectation = field(default_factory=Expectation)
    lines: dict[str, int] = field(default_factory=dict, repr=False, compare=False)
    hwu64_id: int | None = None

    @property
    def heard(self) -> str:
        """The text the runtime receives: the ASR text when given, else what was said."""
        return self.say if self.asr is None else self.asr

    def line_of(self, part: str) -> int:
        """The line of a part (see ``lines``), or of the turn when it is not recorded."""
        return self.lines.get(part, self.line)


@dataclass
class Scenario:
    """A parsed scenario file.

    Attributes:
        path: the scenario file.
        home: ``"default"`` or the path of a home file (resolved against the scenario's folder).
        users: the users; when the file has no ``users``, those the turns name.
        turns: the turns, in order.
        home_line: the line of ``home`` (1 when it was not given).
    """

    path: Path
    home: str
    users: list[ScenarioUser]
    turns: list[ScenarioTurn]
    home_line: int = 1

    def user(self, user_id: str) -> ScenarioUser | None:
        """The user with this id, or None."""
        return next((u for u in self.users if u.id == user_id), None)
