"""The HWU64 mapping file: every corpus intent in exactly one section.

Sections: a simulator goal kind (or several, told apart by the row's spans), a reaction, out of
scope (a thing the home can't do), or unmapped with its reason. `load_mapping` checks the file
against the goal kinds, the reaction kinds and the corpus's intents; every problem raises
`MappingError` naming the file and the line.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import yaml

from simulator.population.goals import GoalKind
from simulator.population.hwu64 import DATA_DIR

DEFAULT_MAPPING = DATA_DIR / "hwu64_mapping.yml"


class Section(str, enum.Enum):
    GOAL_KINDS = "goal_kinds"
    REACTIONS = "reactions"
    OUT_OF_SCOPE = "out_of_scope"
    UNMAPPED = "unmapped"


class ReactionKind(str, enum.Enum):
    """What a user says back to the assistant, from HWU64's ``general_*`` rows."""

    YES = "yes"
    WRONG = "wrong"            # "no, that's wrong"
    STOP = "stop"
    SAY_AGAIN = "say_again"
    DONT_CARE = "dont_care"


class MappingError(ValueError):
    """The mapping file can't be used; the message names the file and the line."""


@dataclass(frozen=True)
class HwuMapping:
    """Where each HWU64 intent goes."""

    path: Path
    goal_kinds: dict[str, tuple[GoalKind, ...]] = field(default_factory=dict)
    reactions: dict[str, ReactionKind] = field(default_factory=dict)
    out_of_scope: frozenset[str] = frozenset()
    unmapped: dict[str, str] = field(default_factory=dict)

    def section(self, intent: str) -> Section | None:
        """The section an intent is in, or None when it is in none."""
        for section, entries in ((Section.GOAL_KINDS, self.goal_kinds), (Section.REACTIONS, self.reactions),
                                 (Section.OUT_OF_SCOPE, self.out_of_scope), (Section.UNMAPPED, self.unmapped)):
            if intent in entries:
                return section
        return None


def _line_of(text: str, name: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith((f"{name}:", f"- {name}")) and not stripped.startswith("#"):
            return number
    return 1


def load_mapping(path: str | Path = DEFAULT_MAPPING, intents: frozenset[str] | None = None) -> HwuMapping:
    """Read and check the mapping; with ``intents`` (the corpus's), every one must be placed once.

    Raises:
        MappingError: unreadable YAML, an unknown section, goal kind or reaction, an intent in
            two sections, an unmapped intent without a reason, or a corpus intent placed nowhere.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        raw: Any = yaml.safe_load(text)
    except FileNotFoundError:
        raise MappingError(f"{path}: no such file (the HWU64 mapping)") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise MappingError(f"{path}: can't read the HWU64 mapping ({error})") from None
    if not isinstance(raw, dict):
        raise MappingError(f"{path}:1: the mapping must be a YAML mapping with "
                           + ", ".join(s.value for s in Section))
    unknown = [key for key in raw if key != "version" and key not in {s.value for s in Section}]
    if unknown:
        raise MappingError(f"{path}:{_line_of(text, unknown[0])}: unknown section {unknown[0]!r}; "
                           f"sections: {', '.join(s.value for s in Section)}")
    kinds: dict[str, tuple[GoalKind, ...]] = {}
    for intent, value in (raw.get(Section.GOAL_KINDS.value) or {}).items():
        names = value if isinstance(value, list) else [value]
        try:
            kinds[intent] = tuple(GoalKind(str(name)) for name in names)
        except ValueError:
            raise MappingError(f"{path}:{_line_of(text, intent)}: {intent}: unknown goal kind in {value!r}; "
                               f"known: {', '.join(k.value for k in GoalKind)}") from None
    reactions: dict[str, ReactionKind] = {}
    for intent, value in (raw.get(Section.REACTIONS.value) or {}).items():
        try:
            reactions[intent] = ReactionKind(str(value))
        except ValueError:
            raise MappingError(f"{path}:{_line_of(text, intent)}: {intent}: unknown reaction {value!r}; "
                               f"known: {', '.join(k.value for k in ReactionKind)}") from None
    out_of_scope = raw.get(Section.OUT_OF_SCOPE.value) or []
    unmapped = raw.get(Section.UNMAPPED.value) or {}
    if not isinstance(out_of_scope, list) or not isinstance(unmapped, dict):
        raise MappingError(f"{path}: out_of_scope must be a list and unmapped a mapping of intent to reason")
    for intent, reason in unmapped.items():
        if not isinstance(reason, str) or not reason.strip():
            raise MappingError(f"{path}:{_line_of(text, intent)}: unmapped {intent} needs its reason")
    placed: dict[str, str] = {}
    sections: tuple[tuple[Section, Iterable[str]], ...] = (
        (Section.GOAL_KINDS, kinds), (Section.REACTIONS, reactions),
        (Section.OUT_OF_SCOPE, out_of_scope), (Section.UNMAPPED, unmapped))
    for section, section_names in sections:
        for intent in section_names:
            if intent in placed:
                raise MappingError(f"{path}:{_line_of(text, intent)}: {intent} is in both "
                                   f"{placed[intent]} and {section.value}")
            placed[intent] = section.value
    if intents is not None:
        missing = sorted(intents - set(placed))
        if missing:
            raise MappingError(f"{path}: HWU64 intents placed in no section: {', '.join(missing)}")
        extra = sorted(set(placed) - intents)
        if extra:
            raise MappingError(f"{path}:{_line_of(text, extra[0])}: {', '.join(extra)} not in the corpus")
    return HwuMapping(path, kinds, reactions, frozenset(out_of_scope), dict(unmapped))
