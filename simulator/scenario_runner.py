"""Playing a scenario through a runtime and checking its expectations."""

from __future__ import annotations

import json
import math
import random
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Protocol

from assistant.turn import TurnHandler, TurnRequest, TurnResult
from simulator.population.channel import Channel, surroundings
from simulator.scenario_model import DEFAULT_HOME, Scenario, ScenarioError, ScenarioTurn

if TYPE_CHECKING:
    from assistant.home import Home

PreferenceLookup = Callable[[str, str], Any]
Progress = Callable[[int, int], None]

# What the runtime may raise for one turn (an unknown device, a bad user id, the action
# server gone); these fail the turn. Anything else (KeyError and IndexError too) is a bug
# and propagates with its traceback.
TURN_ERRORS: tuple[type[Exception], ...] = (LookupError, ConnectionError, ValueError)
BUGS: tuple[type[Exception], ...] = (KeyError, IndexError)

_TRUE_WORDS = frozenset({"true", "on", "yes"})
_FALSE_WORDS = frozenset({"false", "off", "no"})
_NULL_WORDS = frozenset({"null", "none", "~", ""})
_NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")
_MISSING = object()


class ScenarioRuntime(TurnHandler, Protocol):
    """A turn handler with a live home that a scenario can replace (the real Runtime)."""

    home: Home

    def replace_home(self, home: Home) -> None:
        """Use another home from the next turn on."""
        ...

    def reset_user(self, user_id: str) -> None:
        """Start a fresh conversation for this user."""
        ...


@dataclass
class Failure:
    """One expectation that did not hold.

    Attributes:
        turn: the turn's number, from 1.
        line: the line in the scenario file the failed part is on.
        field: what was checked: "intent", "reply", "state.oven.power", "preference.music_genre",
            "set.oven" (a refused ``set``) or "turn" (the runtime raised).
        expected: what was expected, as text.
        got: what there was, as text.
        file: the scenario file.
    """

    turn: int
    line: int
    field: str
    expected: str
    got: str
    file: str = ""

    def to_json(self) -> dict[str, Any]:
        """JSON-safe form."""
        return {"turn": self.turn, "expected": self.expected, "got": self.got,
                "line": self.line, "field": self.field, "file": self.file}


@dataclass
class ScenarioReport:
    """The outcome of a scenario run.

    Attributes:
        path: the scenario file.
        turns: how many turns were played.
        passed: turns whose expectations all held.
        failed: turns with at least one failure.
        failures: every failure, in turn order.
        results: one TurnResult per turn (for a turn the runtime raised on: empty, with the
            error in ``notice``).
    """

    path: str
    turns: int = 0
    passed: int = 0
    failed: int = 0
    failures: list[Failure] = field(default_factory=list)
    results: list[TurnResult] = field(default_factory=list)
    asr: str = "none"      # the channel the words went through: none (as written), speech, confusions
    heard: list[str] = field(default_factory=list)   # what the runtime received, per turn

    def to_json(self) -> dict[str, Any]:
        """JSON-safe summary: turns, passed, failed and failures."""
        return {"turns": self.turns, "passed": self.passed, "failed": self.failed,
                "failures": [f.to_json() for f in self.failures], "asr": self.asr, "heard": list(self.heard)}


def format_failure(failure: Failure) -> str:
    """One line: ``"<file>:<line>: turn <n>: expected <field> <expected>, got <got>"``."""
    return (f"{failure.file}:{failure.line}: turn {failure.turn}: "
            f"expected {failure.field} {failure.expected}, got {failure.got}")


def load_home(scenario: Scenario) -> Home:
    """The scenario's home: ``Home.default()`` or ``Home.load(path)``.

    Raises:
        ScenarioError: the home file can't be loaded (names the scenario's ``home`` line).
    """
    from assistant.home import Home, HomeFileError

    try:
        if scenario.home == DEFAULT_HOME:
            return Home.default()
        return Home.load(scenario.home)
    except (HomeFileError, OSError) as error:
        raise ScenarioError(scenario.path, scenario.home_line, f"home: {error}") from error


def run_scenario(
    scenario: Scenario,
    runtime: ScenarioRuntime,
    *,
    preferences: PreferenceLookup | None = None,
    forget: Callable[[str], Any] | None = None,
    progress: Progress | None = None,
    channel: Channel | None = None,
    seed: int = 0,
) -> ScenarioReport:
    """Play every turn on a fresh home with fresh conversations and check the expectations.

    Args:
        scenario: the parsed scenario.
        runtime: plays the turns; its home is replaced and its users reset first.
        preferences: ``(user_id, key) -> value | None`` for ``expect.preference``; without it
            such expectations fail ("preference store not available").
        forget: called with each of the scenario's users before the first turn, to delete
            what they taught in earlier runs: every scenario starts from a clean slate.
        progress: called after each turn with (turns done, turns in all).
        channel: how a turn's ``say`` is heard when the turn gives no ``asr`` (None: as
            written); ``seed`` decides the channel's voices and rooms.

    Raises:
        ScenarioError: the home can't be loaded.
    """
    runtime.replace_home(load_home(scenario))
    user_ids = [u.id for u in scenario.users] + [t.user for t in scenario.turns]
    for user_id in dict.fromkeys(user_ids):
        runtime.reset_user(user_id)
        if forget is not None:
            forget(user_id)
    report = ScenarioReport(path=str(scenario.path), asr="none" if channel is None else channel.name)
    for turn in scenario.turns:
        text, confidence = _hear(turn, runtime, channel, seed)
        report.heard.append(text)
        result, failures = _play(turn, runtime, preferences, text, confidence)
        for failure in failures:
            failure.file = str(scenario.path)
        report.results.append(result)
        report.failures.extend(failures)
        report.turns += 1
        if failures:
            report.failed += 1
        else:
            report.passed += 1
        if progress is not None:
            progress(report.turns, len(scenario.turns))
    return report


def _hear(turn: ScenarioTurn, runtime: ScenarioRuntime, channel: Channel | None,
          seed: int) -> tuple[str, float | None]:
    """What the runtime receives, and the recogniser's confidence: the turn's ``asr`` (or its
    words) as written when there is no channel or the turn gives ``asr``, else ``say`` heard."""
    if turn.asr is not None or channel is None:
        return turn.heard, None
    accent = channel.accent_for([], random.Random(f"scenario:{seed}:{turn.user}"), key=turn.user)
    heard = channel.hear(turn.say, accent, random.Random(f"scenario:{seed}:{turn.index}"),
                         where=surroundings(runtime.home, turn.device, turn.user))
    return heard.text, heard.confidence


def _play(turn: ScenarioTurn, runtime: ScenarioRuntime, preferences: PreferenceLookup | None,
          text: str, confidence: float | None) -> tuple[TurnResult, list[Failure]]:
    failures: list[Failure] = []
    for device_id, values in turn.set.items():
        outcome = runtime.home.set_state(device_id, dict(values))
        if not outcome.ok:
            reason = getattr(outcome.refusal, "name", None) or "refused"
            failures.append(Failure(turn.index, _line(turn, f"set.{device_id}"), f"set.{device_id}",
                                    _show(values), f"refused ({reason}): {outcome.message}"))
    try:
        result = runtime.handle(TurnRequest(text, user_id=turn.user, device_id=turn.device,
                                            barge_in=turn.barge_in, asr_confidence=confidence))
    except BUGS:
        raise
    except TURN_ERRORS as error:
        message = f"{type(error).__name__}: {error}"
        failures.append(Failure(turn.index, turn.line, "turn", "to run", message))
        return TurnResult(text="", notice=message), failures
    failures.extend(_check(turn, result, runtime, preferences))
    return result, failures


def _check(turn: ScenarioTurn, result: TurnResult, runtime: ScenarioRuntime,
           preferences: PreferenceLookup | None) -> list[Failure]:
    expect = turn.expect
    failures: list[Failure] = []

    def fail(part: str, expected: str, got: str) -> None:
        failures.append(Failure(turn.index, _line(turn, f"expect.{part}"), part, expected, got))

    if expect.intent is not None and result.intent != expect.intent:
        fail("intent", expect.intent, result.intent or "no intent")
    if expect.reply is not None and not re.search(expect.reply, result.reply):
        fail("reply", f"/{expect.reply}/", json.dumps(result.reply, ensure_ascii=False))
    for device_id, expected in expect.state.items():
        device = runtime.home.devices.get(device_id)
        if device is None:
            fail(f"state.{device_id}", _show(expected), f"no device {device_id!r} in the home")
            continue
        for path, want, got in _mismatches(expected, device.state, f"state.{device_id}"):
            fail(path, _show(want), "(missing)" if got is _MISSING else _show(got))
    if expect.preference is not None:
        key, want = expect.preference.key, expect.preference.value
        part = f"preference.{key}"
        if preferences is None:
            fail(part, _show(want), "preference store not available")
        else:
            try:
                got = preferences(turn.user, key)
            except BUGS:
                raise
            except TURN_ERRORS as error:
                fail(part, _show(want), f"{type(error).__name__}: {error}")
            else:
                if _mismatches(want, got, part):
                    fail(part, _show(want), "nothing stored" if got is None else _show(got))
    return failures


def _line(turn: ScenarioTurn, part: str) -> int:
    """The line of the most specific recorded part ("expect.state.oven.power", then up)."""
    while part:
        if part in turn.lines:
            return turn.lines[part]
        part = part.rpartition(".")[0]
    return turn.line


def _mismatches(expected: Any, actual: Any, path: str) -> list[tuple[str, Any, Any]]:
    """Where ``actual`` differs from ``expected``: mappings match as subsets, lists item by
    item, scalars by ``normalize``. Each entry is (path, expected, actual or _MISSING)."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [(path, expected, actual)]
        out: list[tuple[str, Any, Any]] = []
        for key, want in expected.items():
            got = actual[key] if key in actual else _find_key(actual, key)
            if got is _MISSING:
                out.append((f"{path}.{key}", want, _MISSING))
            else:
                out.extend(_mismatches(want, got, f"{path}.{key}"))
        return out
    if isinstance(expected, list):
        if (not isinstance(actual, list) or len(actual) != len(expected)
                or any(_mismatches(w, g, path) for w, g in zip(expected, actual))):
            return [(path, expected, actual)]
        return []
    if normalize(expected) != normalize(actual):
        return [(path, expected, actual)]
    return []


def _find_key(actual: dict[Any, Any], key: Any) -> Any:
    """A key matched case-insensitively (``Power`` finds ``power``), else _MISSING."""
    wanted = str(key).strip().lower()
    for name, value in actual.items():
        if str(name).strip().lower() == wanted:
            return value
    return _MISSING


def normalize(value: Any) -> str:
    """A scalar as comparable text: "on"/True/"yes" -> "true", 180/"180"/180.0 -> "180",
    None/"null" -> "null", other text lower-cased with whitespace collapsed."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return _number(float(value))
    text = " ".join(str(value).split()).lower()
    if text in _TRUE_WORDS:
        return "true"
    if text in _FALSE_WORDS:
        return "false"
    if text in _NULL_WORDS:
        return "null"
    if _NUMBER.fullmatch(text):
        return _number(float(text))
    return text


def _number(number: float) -> str:
    if math.isfinite(number) and number == int(number):
        return str(int(number))
    return repr(number)


def _show(value: Any) -> str:
    """A value for a failure message: plain text as is, anything else as JSON."""
    if isinstance(value, str) and value and value == value.strip():
        return value
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)
