"""Scenario files: the parser (every error names file and line); the typed model is in
`simulator.scenario_types` and re-exported here.

The format (fixed; other tools read it)::

    home: default                 # or a home file, relative to the scenario file
    users:
      - id: alice
        preferences: {music_genre: jazz}
    turns:
      - user: alice
        device: kitchen_speaker
        set: {oven: {power: "on", temperature: 180}}
        say: "what is the temperature"   # or say_hwu64: 1234 (a real HWU64 sentence, as speech)
        asr: "what is the temper chair"
        barge_in: false
        expect:
          intent: ask_temperature
          reply: "(?i)oven"
          state: {oven: {power: "on"}}
          preference: {key: music_genre, value: jazz}

The file is read with PyYAML's node API (``yaml.compose``) so that each problem can name
the line it is on.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from simulator.scenario_types import (
    Expectation,
    PreferenceExpectation,
    Scenario,
    ScenarioError,
    ScenarioTurn,
    ScenarioUser,
)

DEFAULT_HOME = "default"
DEFAULT_DEVICE = "kitchen_speaker"
DEFAULT_USER = "user"

TOP_KEYS = ("home", "users", "turns")
USER_KEYS = ("id", "preferences")
TURN_KEYS = ("user", "device", "set", "say", "say_hwu64", "asr", "barge_in", "expect")
EXPECT_KEYS = ("intent", "reply", "state", "preference")
PREFERENCE_KEYS = ("key", "value")

_NULL_TAG = "tag:yaml.org,2002:null"
_BOOL_TAG = "tag:yaml.org,2002:bool"


__all__ = ["Expectation", "PreferenceExpectation", "Scenario", "ScenarioError", "ScenarioTurn", "ScenarioUser",
           "load_scenario", "parse_scenario"]


def load_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario file.

    Raises:
        ScenarioError: the file can't be read or is malformed; the message names the line.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(path, 1, "no such file") from None
    except UnicodeDecodeError as error:
        raise ScenarioError(path, 1, f"not UTF-8 text ({error.reason})") from None
    except OSError as error:
        raise ScenarioError(path, 1, f"can't read the file: {error.strerror or error}") from None
    return parse_scenario(text, path)


def parse_scenario(text: str, path: str | Path = "<scenario>") -> Scenario:
    """Parse scenario YAML text; ``path`` names the file in errors and anchors relative homes.

    Raises:
        ScenarioError: the text is malformed; the message names the line.
    """
    return _Parser(Path(path)).parse(text)


class _Parser:
    """Walks the composed YAML nodes of one file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._constructor = SafeConstructor()

    # -- helpers -----------------------------------------------------------------------

    def error(self, node: Node | None, problem: str) -> ScenarioError:
        return ScenarioError(self.path, _line(node), problem)

    def mapping(self, node: Node, where: str, allowed: tuple[str, ...] | None = None,
                ) -> dict[str, tuple[Node, Node]]:
        """A mapping node as ``{key: (key node, value node)}``; duplicate or unknown keys fail."""
        if not isinstance(node, MappingNode):
            raise self.error(node, f"{where} must be a mapping, not {_kind(node)}")
        out: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise self.error(key_node, f"{where}: keys must be plain names, not {_kind(key_node)}")
            key = str(key_node.value)
            if key in out:
                raise self.error(key_node, f"{where}: {key!r} is given twice "
                                           f"(first on line {_line(out[key][0])})")
            if allowed is not None and key not in allowed:
                raise self.error(key_node, f"{where}: unknown key {key!r}; "
                                           f"allowed: {', '.join(allowed)}")
            out[key] = (key_node, value_node)
        return out

    def text(self, node: Node, where: str, *, required: bool = False) -> str | None:
        """A scalar as the text written (``no`` stays "no", ``42`` is "42"); null is None."""
        if not isinstance(node, ScalarNode):
            raise self.error(node, f"{where} must be text, not {_kind(node)}")
        if node.tag == _NULL_TAG:
            if required:
                raise self.error(node, f"{where} needs a value")
            return None
        return str(node.value)

    def value(self, node: Node) -> Any:
        """Any node as plain Python data (numbers, bools, strings, lists, mappings)."""
        try:
            return self._constructor.construct_object(node, deep=True)
        except yaml.YAMLError as error:
            raise self.error(node, f"bad value: {_yaml_problem(error)}") from None
        except ValueError as error:  # e.g. a date like 2024-13-45
            raise self.error(node, f"bad value {node.value!r}: {error}") from None

    # -- the file ----------------------------------------------------------------------

    def parse(self, text: str) -> Scenario:
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line = mark.line + 1 if mark is not None else 1
            raise ScenarioError(self.path, line, f"YAML syntax error: {_yaml_problem(error)}") from None
        except yaml.YAMLError as error:
            raise ScenarioError(self.path, 1, f"YAML error: {_yaml_problem(error)}") from None
        if root is None:
            raise ScenarioError(self.path, 1, "the file is empty; expected a mapping with "
                                              "'turns' (and optionally 'home' and 'users')")
        if not isinstance(root, MappingNode):
            raise self.error(root, "the top level must be a mapping with 'turns' (and optionally "
                                   f"'home' and 'users'), not {_kind(root)}")
        top = self.mapping(root, "the top level", TOP_KEYS)
        home, home_line = self.home(top.get("home"))
        users = self.users(top["users"][1]) if "users" in top else None
        if "turns" not in top:
            raise self.error(root, "missing 'turns': a list of turns, each with at least 'say'")
        turns = self.turns(top["turns"][1], users)
        if users is None:
            users = []
            for turn in turns:
                if all(u.id != turn.user for u in users):
                    users.append(ScenarioUser(turn.user))
        return Scenario(self.path, home, users, turns, home_line)

    def home(self, entry: tuple[Node, Node] | None) -> tuple[str, int]:
        if entry is None:
            return DEFAULT_HOME, 1
        key_node, node = entry
        name = self.text(node, "home")
        if name is None or not name.strip() or name.strip() == DEFAULT_HOME:
            return DEFAULT_HOME, _line(key_node)
        home_path = Path(name.strip()).expanduser()
        if not home_path.is_absolute():
            home_path = self.path.parent / home_path
        if not home_path.is_file():
            raise self.error(node, f"home: no home file {str(home_path)!r} "
                                   f"(use 'default' or a path relative to this file)")
        return str(home_path), _line(key_node)

    def users(self, node: Node) -> list[ScenarioUser] | None:
        if isinstance(node, ScalarNode) and node.tag == _NULL_TAG:
            return None
        if not isinstance(node, SequenceNode):
            raise self.error(node, f"users must be a list of users like '- id: alice', not {_kind(node)}")
        users: list[ScenarioUser] = []
        seen: dict[str, int] = {}
        for item in node.value:
            user = self.user(item)
            if user.id in seen:
                raise self.error(item, f"users: {user.id!r} is listed twice (first on line {seen[user.id]})")
            seen[user.id] = _line(item)
            users.append(user)
        return users or None

    def user(self, node: Node) -> ScenarioUser:
        if isinstance(node, ScalarNode):
            user_id = self.text(node, "a user", required=True)
            assert user_id is not None
            return ScenarioUser(user_id.strip())
        fields = self.mapping(node, "a user", USER_KEYS)
        if "id" not in fields:
            raise self.error(node, "a user needs an 'id'")
        user_id = (self.text(fields["id"][1], "a user's id", required=True) or "").strip()
        if not user_id:
            raise self.error(fields["id"][1], "a user's id can't be empty")
        preferences: dict[str, Any] = {}
        if "preferences" in fields:
            pref_node = fields["preferences"][1]
            if not (isinstance(pref_node, ScalarNode) and pref_node.tag == _NULL_TAG):
                entries = self.mapping(pref_node, f"preferences of {user_id!r}")
                preferences = {key: self.value(value) for key, (_, value) in entries.items()}
        return ScenarioUser(user_id, preferences)

    # -- turns -------------------------------------------------------------------------

    def turns(self, node: Node, users: list[ScenarioUser] | None) -> list[ScenarioTurn]:
        if not isinstance(node, SequenceNode):
            raise self.error(node, f"turns must be a list of turns (each '- say: ...'), not {_kind(node)}")
        if not node.value:
            raise self.error(node, "turns is empty; a scenario needs at least one turn")
        default_user = users[0].id if users else DEFAULT_USER
        known = {u.id for u in users} if users else None
        return [self.turn(item, index, default_user, known)
                for index, item in enumerate(node.value, start=1)]

    def turn(self, node: Node, index: int, default_user: str, known: set[str] | None) -> ScenarioTurn:
        where = f"turn {index}"
        if isinstance(node, ScalarNode) and node.tag != _NULL_TAG:
            # A bare line of text is a turn that only says it.
            say = self.text(node, where)
            assert say is not None
            return ScenarioTurn(index, _line(node), default_user, DEFAULT_DEVICE, say,
                                lines={"say": _line(node)})
        fields = self.mapping(node, where, TURN_KEYS)
        lines = {key: _line(key_node) for key, (key_node, _) in fields.items()}
        if "say" not in fields and "say_hwu64" not in fields:
            raise self.error(node, f"{where} has no 'say' (what the user says) or 'say_hwu64' (a HWU64 row id)")
        if "say" in fields and "say_hwu64" in fields:
            raise self.error(fields["say_hwu64"][0], f"{where} gives both 'say' and 'say_hwu64'; choose one")
        hwu64_id = self.hwu64_id(fields["say_hwu64"][1], where) if "say_hwu64" in fields else None
        say = self.text(fields["say"][1], f"{where}: say", required=True) if "say" in fields \
            else self.hwu64_speech(fields["say_hwu64"][1], where, hwu64_id)
        assert say is not None
        user = default_user
        if "user" in fields:
            user = (self.text(fields["user"][1], f"{where}: user") or "").strip() or default_user
            if known is not None and user not in known:
                raise self.error(fields["user"][1], f"{where}: user {user!r} is not in 'users' "
                                                    f"(known: {', '.join(sorted(known))})")
        device = DEFAULT_DEVICE
        if "device" in fields:
            device = (self.text(fields["device"][1], f"{where}: device") or "").strip() or DEFAULT_DEVICE
        asr = self.text(fields["asr"][1], f"{where}: asr") if "asr" in fields else None
        barge_in = False
        if "barge_in" in fields:
            barge_node = fields["barge_in"][1]
            if not (isinstance(barge_node, ScalarNode) and barge_node.tag in (_BOOL_TAG, _NULL_TAG)):
                raise self.error(barge_node, f"{where}: barge_in must be true or false, "
                                             f"not {_kind(barge_node)}")
            barge_in = bool(self.value(barge_node))
        states: dict[str, dict[str, Any]] = {}
        if "set" in fields:
            states = self.states(fields["set"][1], f"{where}: set", "set", lines)
        expect = Expectation()
        if "expect" in fields:
            expect = self.expect(fields["expect"][1], where, lines)
        return ScenarioTurn(index, _line(node), user, device, say, asr, states, barge_in,
                            expect, lines, hwu64_id)

    def hwu64_id(self, node: Node, where: str) -> int:
        text = (self.text(node, f"{where}: say_hwu64", required=True) or "").strip()
        if not text.isdigit():
            raise self.error(node, f"{where}: say_hwu64 must be a HWU64 row id (a whole number), not {text!r}")
        return int(text)

    def hwu64_speech(self, node: Node, where: str, row_id: int | None) -> str:
        """The HWU64 row as speech; a missing or bad corpus, or no such row, names both files."""
        from simulator.population.hwu64 import HwuDataError, speech_of

        assert row_id is not None
        try:
            return speech_of(row_id)
        except HwuDataError as error:
            raise self.error(node, f"{where}: say_hwu64 {row_id}: {error}") from None

    def expected(self, node: Node) -> Any:
        """An expected value; a bare on/off/yes/no stays as written so failures show it."""
        if isinstance(node, ScalarNode) and node.tag == _BOOL_TAG:
            return str(node.value)
        return self.value(node)

    def states(self, node: Node, where: str, prefix: str, lines: dict[str, int], *,
               expected: bool = False) -> dict[str, dict[str, Any]]:
        """``{device: {key: value}}``; records ``prefix.device`` and ``prefix.device.key`` lines.

        With ``expected``, values are read by ``self.expected`` (bare words kept as written).
        """
        if isinstance(node, ScalarNode) and node.tag == _NULL_TAG:
            return {}
        example = '{oven: {power: "on", temperature: 180}}'
        if not isinstance(node, MappingNode):
            raise self.error(node, f"{where} must map device ids to states, like {example}; "
                                   f"got {_kind(node)}")
        out: dict[str, dict[str, Any]] = {}
        for device, (key_node, value_node) in self.mapping(node, where).items():
            if not isinstance(value_node, MappingNode):
                raise self.error(value_node, f"{where}: {device} must be a mapping of state keys "
                                             f"to values, like {{power: \"on\"}}; got {_kind(value_node)}")
            values = self.mapping(value_node, f"{where}: {device}")
            if not values:
                raise self.error(value_node, f"{where}: {device} has no state keys")
            lines[f"{prefix}.{device}"] = _line(key_node)
            out[device] = {}
            for key, (state_key_node, state_value_node) in values.items():
                lines[f"{prefix}.{device}.{key}"] = _line(state_key_node)
                read = self.expected if expected else self.value
                out[device][key] = read(state_value_node)
        return out

    def expect(self, node: Node, where: str, lines: dict[str, int]) -> Expectation:
        if isinstance(node, ScalarNode) and node.tag == _NULL_TAG:
            return Expectation()
        fields = self.mapping(node, f"{where}: expect", EXPECT_KEYS)
        for key, (key_node, _) in fields.items():
            lines[f"expect.{key}"] = _line(key_node)
        expect = Expectation()
        if "intent" in fields:
            intent = self.text(fields["intent"][1], f"{where}: expect.intent")
            expect.intent = intent.strip() if intent and intent.strip() else None
        if "reply" in fields:
            reply_node = fields["reply"][1]
            expect.reply = self.text(reply_node, f"{where}: expect.reply")
            if expect.reply is not None:
                try:
                    re.compile(expect.reply)
                except re.error as error:
                    raise self.error(reply_node, f"{where}: expect.reply {expect.reply!r} is not a "
                                                 f"valid regular expression: {error}") from None
        if "state" in fields:
            expect.state = self.states(fields["state"][1], f"{where}: expect.state",
                                       "expect.state", lines, expected=True)
        if "preference" in fields:
            expect.preference = self.preference(fields["preference"][1], where)
        return expect

    def preference(self, node: Node, where: str) -> PreferenceExpectation | None:
        if isinstance(node, ScalarNode) and node.tag == _NULL_TAG:
            return None
        fields = self.mapping(node, f"{where}: expect.preference", PREFERENCE_KEYS)
        missing = [k for k in PREFERENCE_KEYS if k not in fields]
        if missing:
            raise self.error(node, f"{where}: expect.preference needs {' and '.join(missing)} "
                                   "(like {key: music_genre, value: jazz})")
        key = (self.text(fields["key"][1], f"{where}: expect.preference.key", required=True) or "").strip()
        if not key:
            raise self.error(fields["key"][1], f"{where}: expect.preference.key can't be empty")
        return PreferenceExpectation(key, self.expected(fields["value"][1]))


def _line(node: Node | None) -> int:
    """The 1-based line a node starts on."""
    if node is None or node.start_mark is None:
        return 1
    return node.start_mark.line + 1


def _kind(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if node.tag == _NULL_TAG:
        return "nothing"
    return f"{node.value!r}"


def _yaml_problem(error: yaml.YAMLError) -> str:
    if isinstance(error, yaml.MarkedYAMLError):
        parts = [p for p in (error.context, error.problem) if p]
        return ", ".join(parts) or "malformed YAML"
    return str(error).splitlines()[0] if str(error) else "malformed YAML"
