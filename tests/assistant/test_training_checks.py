"""Training inputs are checked before Rasa runs: file and line named, nothing replaced."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.paths import PROJECT_ROOT
from assistant.training_checks import check_inputs


def _project(tmp_path: Path, *, nlu: str, config: str = "pipeline:\n  - name: WhitespaceTokenizer\n") -> tuple:
    (tmp_path / "domain").mkdir()
    (tmp_path / "domain" / "a.yml").write_text('version: "3.1"\nintents:\n  - greet\n  - bye: {use_entities: true}\n')
    (tmp_path / "stories" / "nlu").mkdir(parents=True)
    (tmp_path / "stories" / "nlu" / "a.yml").write_text(nlu)
    (tmp_path / "config.yml").write_text(config)
    return tmp_path / "domain", [tmp_path / "stories"], tmp_path / "config.yml"


def test_the_projects_own_inputs_pass() -> None:
    assert check_inputs(PROJECT_ROOT / "domain", [PROJECT_ROOT / "stories"], PROJECT_ROOT / "config.yml") == []


def test_an_intent_missing_from_the_domain_is_named_with_file_and_line(tmp_path: Path) -> None:
    nlu = 'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - hi\n- intent: dance\n  examples: |\n    - dance\n'
    problems = check_inputs(*_project(tmp_path, nlu=nlu))
    assert [(p.file.name, p.line) for p in problems] == [("a.yml", 6)]
    assert "'dance' is not declared" in str(problems[0])


def test_a_yaml_error_names_file_and_line(tmp_path: Path) -> None:
    nlu = 'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - hi\n  - : [\n'
    problems = check_inputs(*_project(tmp_path, nlu=nlu))
    assert len(problems) == 1 and problems[0].file.name == "a.yml" and problems[0].line is not None
    assert "invalid YAML" in problems[0].message


@pytest.mark.parametrize("config", ["language: en\n", "pipeline: [\n"])
def test_a_config_without_a_pipeline_is_refused(tmp_path: Path, config: str) -> None:
    nlu = 'version: "3.1"\nnlu:\n- intent: bye\n  examples: |\n    - bye\n'
    problems = check_inputs(*_project(tmp_path, nlu=nlu, config=config))
    assert len(problems) == 1 and problems[0].file.name == "config.yml"
