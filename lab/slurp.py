"""SLURP (an evaluation set only; nothing here writes training data) and the mapping of its
intents onto ours in ``lab/data/slurp_mapping.yml``: both read with errors that name
the file and the line."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DEFAULT_MAPPING = Path(__file__).parent / "data" / "slurp_mapping.yml"
FALLBACK_INTENT = "nlu_fallback"
OUT_OF_SCOPE_INTENT = "out_of_scope"
NO_INTENT = "<none>"
REQUIRED_KEYS = ("sentence", "intent")
MAPPING_SECTIONS = ("intents", "out_of_scope_intents", "unmapped")


class SlurpFileError(ValueError):
    """A SLURP JSONL file that cannot be read; the message names the file and line."""


class MappingError(ValueError):
    """A mapping file that is malformed; the message names the file (and line when known)."""


# -- SLURP examples ------------------------------------------------------------------


@dataclass(frozen=True)
class SlurpExample:
    """One SLURP request.

    Attributes:
        sentence: What the person said.
        intent: The canonical SLURP intent, ``<scenario>_<action>`` (the mapping's key).
        scenario: The SLURP scenario (from the row, else the intent's prefix).
        raw_intent: The intent exactly as the file has it.
        line: 1-based line number in the file (0 when built in code).
    """

    sentence: str
    intent: str
    scenario: str
    raw_intent: str = ""
    line: int = 0


def canonical_intent(intent: str, scenario: str | None, action: str | None) -> str:
    """The ``<scenario>_<action>`` form of a SLURP intent.

    Some SLURP rows carry only the action ("query", "set") or drop the scenario
    ("hue_lightoff" in scenario iot); those are rebuilt from the row's scenario and
    action. Rows without a scenario keep their intent unchanged.
    """
    if not scenario or intent.startswith(f"{scenario}_"):
        return intent
    suffix = action or intent
    if suffix.startswith(f"{scenario}_"):
        return suffix
    return f"{scenario}_{suffix}"


def load_slurp(path: str | Path) -> list[SlurpExample]:
    """Read a SLURP JSONL file (one JSON object per line; blank lines are skipped).

    Raises:
        SlurpFileError: the file is missing, or a line is not a JSON object with
            non-empty string ``sentence`` and ``intent`` (the message names file:line).
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        raise SlurpFileError(f"{file}: cannot read SLURP file: {error}") from error
    examples: list[SlurpExample] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{file}:{number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise SlurpFileError(f"{where}: invalid JSON: {error.msg} (column {error.colno})") from error
        if not isinstance(row, dict):
            raise SlurpFileError(f"{where}: expected a JSON object, got {type(row).__name__}")
        for key in REQUIRED_KEYS:
            if key not in row:
                raise SlurpFileError(f"{where}: missing key {key!r}")
            if not isinstance(row[key], str) or not row[key].strip():
                raise SlurpFileError(f"{where}: {key!r} must be a non-empty string")
        raw_intent = row["intent"].strip()
        scenario = row.get("scenario")
        action = row.get("action")
        if scenario is not None and not isinstance(scenario, str):
            raise SlurpFileError(f"{where}: 'scenario' must be a string")
        examples.append(
            SlurpExample(
                sentence=row["sentence"],
                intent=canonical_intent(
                    raw_intent, scenario or None, action if isinstance(action, str) else None
                ),
                scenario=scenario or raw_intent.split("_", 1)[0],
                raw_intent=raw_intent,
                line=number,
            )
        )
    return examples


# -- the mapping ---------------------------------------------------------------------


@dataclass(frozen=True)
class SlurpMapping:
    """Where each SLURP intent goes.

    Attributes:
        intents: In-scope SLURP intent -> our intent.
        out_of_scope: SLURP intents whose right answer is ``out_of_scope``.
        unmapped: SLURP intent -> why it is not scored.
        source: The file it was read from, if any.
        entities: SLURP entity type -> our entity (for entity F1); types not named are not scored.
    """

    intents: Mapping[str, str]
    out_of_scope: frozenset[str]
    unmapped: Mapping[str, str]
    source: Path | None = None
    entities: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        sections = (set(self.intents), set(self.out_of_scope), set(self.unmapped))
        for i, first in enumerate(sections):
            for j in range(i + 1, len(sections)):
                both = first & sections[j]
                if both:
                    raise MappingError(
                        f"{self.source or 'mapping'}: in both {MAPPING_SECTIONS[i]} and "
                        f"{MAPPING_SECTIONS[j]}: {', '.join(sorted(both))}"
                    )

    @property
    def known(self) -> frozenset[str]:
        """Every SLURP intent the mapping mentions, in any section."""
        return frozenset(self.intents) | self.out_of_scope | frozenset(self.unmapped)

    def section(self, slurp_intent: str) -> str | None:
        """The section naming `slurp_intent`, or None when the mapping lacks it."""
        if slurp_intent in self.intents:
            return "intents"
        if slurp_intent in self.out_of_scope:
            return "out_of_scope_intents"
        if slurp_intent in self.unmapped:
            return "unmapped"
        return None

    def target(self, slurp_intent: str, *, include_out_of_scope: bool) -> str | None:
        """Our intent for `slurp_intent`, or None when it is not scored."""
        if slurp_intent in self.intents:
            return self.intents[slurp_intent]
        if include_out_of_scope and slurp_intent in self.out_of_scope:
            return OUT_OF_SCOPE_INTENT
        return None


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe YAML loader that rejects duplicate keys instead of keeping the last."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _string_map(data: Any, name: str, where: Path) -> dict[str, str]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise MappingError(f"{where}: {name!r} must be a mapping of SLURP intent -> value")
    for key, value in data.items():
        if not isinstance(key, str) or not isinstance(value, str) or not value.strip():
            raise MappingError(f"{where}: {name}.{key}: expected a non-empty string, got {value!r}")
    return {key: value.strip() for key, value in data.items()}


def load_mapping(path: str | Path | None = None) -> SlurpMapping:
    """Read the mapping YAML (default: ``lab/data/slurp_mapping.yml``).

    Raises:
        MappingError: bad YAML, duplicate keys, an unknown section, an intent in two
            sections, an empty reason, or a target of ``nlu_fallback``.
    """
    file = Path(path) if path is not None else DEFAULT_MAPPING
    try:
        data = yaml.load(file.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
    except OSError as error:
        raise MappingError(f"{file}: cannot read mapping: {error}") from error
    except yaml.YAMLError as error:
        raise MappingError(f"{file}: invalid mapping YAML: {error}") from error
    if not isinstance(data, dict):
        raise MappingError(f"{file}: expected a mapping with sections {', '.join(MAPPING_SECTIONS)}")
    unknown = set(data) - {"version", "entities", *MAPPING_SECTIONS}
    if unknown:
        raise MappingError(f"{file}: unknown section(s): {', '.join(sorted(map(str, unknown)))}")
    intents = _string_map(data.get("intents"), "intents", file)
    unmapped = _string_map(data.get("unmapped"), "unmapped", file)
    oos_list = data.get("out_of_scope_intents") or []
    if not isinstance(oos_list, list) or not all(isinstance(x, str) for x in oos_list):
        raise MappingError(f"{file}: 'out_of_scope_intents' must be a list of SLURP intents")
    repeated = sorted(name for name, count in Counter(oos_list).items() if count > 1)
    if repeated:
        raise MappingError(f"{file}: listed twice in out_of_scope_intents: {', '.join(repeated)}")
    bad = sorted(k for k, v in intents.items() if v == FALLBACK_INTENT)
    if bad:
        raise MappingError(f"{file}: {FALLBACK_INTENT} is not a target: {', '.join(bad)}")
    entities = _string_map(data.get("entities"), "entities", file)
    return SlurpMapping(intents=intents, out_of_scope=frozenset(oos_list), unmapped=unmapped,
                        source=file, entities=entities)
