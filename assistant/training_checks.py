"""Cheap checks of the training inputs before `rasa train` starts.

Rasa reports a YAML error deep in a traceback and only warns about an intent that the
domain does not declare (then trains a model that can never predict it). These checks
name the file and line instead, and run in well under a second, so a broken input never
replaces a working model.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

# Intents Rasa itself defines; no domain file needs to declare them.
BUILT_IN_INTENTS = frozenset({"nlu_fallback", "restart", "back", "out_of_scope", "session_start"})


@dataclass(frozen=True)
class InputProblem:
    """One problem in one training input."""

    file: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else str(self.file)
        return f"{where}: {self.message}"


class _LineLoader(yaml.SafeLoader):
    """Keeps the line of each mapping, under the key ``__line__``."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping


def _yaml_files(folder: Path) -> list[Path]:
    if folder.is_file():
        return [folder]
    return sorted(p for p in folder.rglob("*") if p.suffix in (".yml", ".yaml"))


def _load(path: Path) -> tuple[Any, InputProblem | None]:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader), None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        return None, InputProblem(path, line, f"invalid YAML: {error.problem or error}")
    except (yaml.YAMLError, OSError, UnicodeDecodeError) as error:
        return None, InputProblem(path, None, f"cannot read: {error}")


def _domain_intents(doc: Any) -> Iterator[str]:
    for entry in (doc or {}).get("intents") or []:
        if isinstance(entry, str):
            yield entry
        elif isinstance(entry, dict):
            yield from (k for k in entry if k != "__line__")


def _used_intents(doc: Any) -> Iterator[tuple[str, int | None]]:
    """(intent, line) for every intent an NLU block, rule or story names."""
    if not isinstance(doc, dict):
        return
    for block in doc.get("nlu") or []:
        if isinstance(block, dict) and isinstance(block.get("intent"), str):
            yield block["intent"], block.get("__line__")
    for section in ("rules", "stories"):
        for item in doc.get(section) or []:
            if not isinstance(item, dict):
                continue
            for step in (item.get("steps") or []) + (item.get("condition") or []):
                if isinstance(step, dict) and isinstance(step.get("intent"), str):
                    yield step["intent"], step.get("__line__")
                for alt in (step.get("or") or []) if isinstance(step, dict) else []:
                    if isinstance(alt, dict) and isinstance(alt.get("intent"), str):
                        yield alt["intent"], alt.get("__line__")


def check_inputs(domain: Path, data: Iterable[Path], config: Path) -> list[InputProblem]:
    """Problems in the config, domain and training data (empty when they look trainable)."""
    problems: list[InputProblem] = []
    config_doc, problem = _load(config)
    if problem:
        problems.append(problem)
    elif not isinstance(config_doc, dict) or not config_doc.get("pipeline"):
        problems.append(InputProblem(config, None, "no pipeline: a Rasa config needs one"))
    declared: set[str] = set(BUILT_IN_INTENTS)
    for path in _yaml_files(domain):
        doc, problem = _load(path)
        if problem:
            problems.append(problem)
            continue
        declared.update(_domain_intents(doc))
    for folder in data:
        for path in _yaml_files(folder):
            doc, problem = _load(path)
            if problem:
                problems.append(problem)
                continue
            for intent, line in _used_intents(doc):
                if intent not in declared:
                    problems.append(InputProblem(
                        path, line, f"intent {intent!r} is not declared in the domain ({domain})"))
    return problems
