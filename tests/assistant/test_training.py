"""The model is retrained exactly when one of its inputs changes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from assistant import training
from assistant.paths import PROJECT_ROOT, DataDir
from assistant.rasa_patches import THREADS_ENV


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """A copy of the training inputs, so tests can change them."""
    root = tmp_path / "project"
    for name in training.TRAINING_INPUTS:
        src = PROJECT_ROOT / name
        if src.is_dir():
            shutil.copytree(src, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(src, root / name)
    return root


def _stamp(data: DataDir, root: Path) -> None:
    data.ensure()
    data.model_file.write_bytes(b"model")
    data.fingerprint_file.write_text(json.dumps({"fingerprint": training.fingerprint(root)}))


def test_input_files_cover_config_domain_stories_and_catalogs(project: Path) -> None:
    names = {p.relative_to(project).as_posix() for p in training.input_files(project)}
    assert "config.yml" in names
    assert any(n.startswith("domain/") for n in names)
    assert any(n.startswith("stories/nlu/") for n in names)
    assert any(n.startswith("assistant/catalogs/") for n in names)
    assert not any("__pycache__" in n for n in names)


def test_fingerprint_is_stable(project: Path) -> None:
    assert training.fingerprint(project) == training.fingerprint(project)


@pytest.mark.parametrize("changed", ["config.yml", "domain/chitchat.yml", "stories/nlu/chitchat.yml",
                                     "assistant/catalogs/media.yml"])
def test_changing_an_input_changes_the_fingerprint(project: Path, changed: str) -> None:
    before = training.fingerprint(project)
    with (project / changed).open("a", encoding="utf-8") as f:
        f.write("\n# changed\n")
    assert training.fingerprint(project) != before


def test_adding_a_file_changes_the_fingerprint(project: Path) -> None:
    before = training.fingerprint(project)
    (project / "stories" / "nlu" / "extra.yml").write_text('version: "3.1"\n')
    assert training.fingerprint(project) != before


def test_is_current_only_with_a_model_and_a_matching_fingerprint(project: Path, tmp_path: Path) -> None:
    data = DataDir(tmp_path / "data")
    assert not training.is_current(data, project)  # nothing trained
    _stamp(data, project)
    assert training.is_current(data, project)
    (project / "config.yml").write_text((project / "config.yml").read_text() + "\n# new\n")
    assert not training.is_current(data, project)  # stale


def test_a_missing_model_file_is_not_current(project: Path, tmp_path: Path) -> None:
    data = DataDir(tmp_path / "data")
    _stamp(data, project)
    data.model_file.unlink()
    assert not training.is_current(data, project)


def test_a_corrupt_fingerprint_file_is_not_current(project: Path, tmp_path: Path) -> None:
    data = DataDir(tmp_path / "data")
    _stamp(data, project)
    data.fingerprint_file.write_text("{not json")
    assert not training.is_current(data, project)


def test_train_skips_when_current(tmp_path: Path) -> None:
    data = DataDir(tmp_path / "data")
    _stamp(data, PROJECT_ROOT)
    outcome = training.train(data)
    assert outcome.trained is False
    assert data.model_file.read_bytes() == b"model"  # untouched: no rasa train ran


def _break(root: Path, how: str) -> None:
    if how == "unknown component":
        config = root / "config.yml"
        config.write_text(config.read_text().replace("- name: WhitespaceTokenizer",
                                                     "- name: NoSuchTokenizer", 1))
    elif how == "yaml error":
        (root / "stories" / "nlu" / "broken.yml").write_text('version: "3.1"\nnlu:\n- intent: greet\n  examples: [\n')
    else:
        (root / "stories" / "nlu" / "stray.yml").write_text(
            'version: "3.1"\nnlu:\n- intent: juggle\n  examples: |\n    - juggle three balls\n')


@pytest.mark.parametrize(("how", "named"), [
    ("yaml error", "broken.yml:"),
    ("missing intent", "stray.yml:3"),
    ("unknown component", "NoSuchTokenizer"),
])
def test_broken_inputs_name_the_problem_and_keep_the_previous_model(
        project: Path, tmp_path: Path, how: str, named: str) -> None:
    data = DataDir(tmp_path / "data")
    _stamp(data, PROJECT_ROOT)  # a model exists, stale for the broken copy
    _break(project, how)
    with pytest.raises(training.TrainingError) as raised:
        training.train(data, root=project)
    assert named in str(raised.value)
    assert "previous model is kept" in str(raised.value)
    assert data.model_file.read_bytes() == b"model"
    assert not list(data.models.glob(".staging-*"))


# -- the learned NLU file in the data folder -------------------------------------------

LEARNED = 'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - hiya there\n'


def test_learned_files_are_training_inputs(project: Path, tmp_path: Path) -> None:
    data = DataDir(tmp_path / "data").ensure()
    before = training.fingerprint(project, data)
    assert before == training.fingerprint(project)   # no learned file: the project's inputs alone
    data.learned_dir.mkdir()
    data.learned_nlu.write_text(LEARNED)
    assert training.learned_files(data) == [data.learned_nlu]
    learned = training.fingerprint(project, data)
    assert learned != before
    data.learned_nlu.write_text(LEARNED + "    - hello again\n")
    assert training.fingerprint(project, data) != learned


def test_a_model_trained_before_learning_is_stale_once_something_is_learned(project: Path, tmp_path: Path) -> None:
    data = DataDir(tmp_path / "data")
    _stamp(data, project)
    assert training.is_current(data, project)
    data.learned_dir.mkdir()
    data.learned_nlu.write_text(LEARNED)
    assert not training.is_current(data, project)


def test_a_learned_file_broken_by_hand_names_it_and_keeps_the_model(project: Path, tmp_path: Path) -> None:
    data = DataDir(tmp_path / "data")
    _stamp(data, project)
    data.learned_dir.mkdir()
    data.learned_nlu.write_text('version: "3.1"\nnlu:\n- intent: greet\n  examples: [\n')
    with pytest.raises(training.TrainingError) as raised:
        training.train(data, root=project)
    assert "nlu.yml:" in str(raised.value)
    assert data.model_file.read_bytes() == b"model"


def test_a_candidate_goes_to_out_and_leaves_the_current_model(project: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """`out=` (a candidate for the gate): Rasa's command names the learned files given, and the
    finished model lands at `out`; the current model and its fingerprint stay."""
    import subprocess

    data = DataDir(tmp_path / "data")
    _stamp(data, project)
    extra = tmp_path / "learned-copy.yml"
    extra.write_text(LEARNED)
    seen: list[list[str]] = []

    class FinishedRasa:
        def __init__(self, cmd, **_kwargs):
            seen.append(cmd)
            out = Path(cmd[cmd.index("--out") + 1])
            out.mkdir(parents=True, exist_ok=True)
            (out / data.model_file.name).write_bytes(b"candidate")
            self.stdout = __import__("io").StringIO("Your Rasa model is trained\n")

        def wait(self):
            return 0

    monkeypatch.setattr(subprocess, "Popen", FinishedRasa)
    fingerprint_before = data.fingerprint_file.read_text()
    outcome = training.train(data, root=project, out=tmp_path / "cand.tar.gz", learned=[extra])
    assert outcome.model == tmp_path / "cand.tar.gz" and outcome.model.read_bytes() == b"candidate"
    assert str(extra.resolve()) in seen[0]
    assert data.model_file.read_bytes() == b"model"
    assert data.fingerprint_file.read_text() == fingerprint_before


CACHE_FAILURE = """Traceback (most recent call last):
OSError: [Errno 28] No space left on device: '/data/rasa-cache/tmpabc'
The above exception was the direct cause of the following exception:
rasa.engine.exceptions.GraphComponentException: Error running after hook for node 'train_RulePolicy1'.
"""


def test_a_failure_in_rasas_training_cache_trains_again_without_the_cache(
        project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rasa failing to cache a component (a full disk, say) is not a broken training: the
    second run starts from an empty cache, one node at a time, and its model replaces the old one."""
    import io
    import subprocess

    data = DataDir(tmp_path / "data")
    _stamp(data, PROJECT_ROOT)
    (data.root / "rasa-cache").mkdir()
    envs: list[dict[str, str]] = []

    class RasaWithABrokenCache:
        def __init__(self, cmd, *, env, **_kwargs):
            envs.append(env)
            self.code = 1 if env.get(THREADS_ENV) != "1" else 0
            if self.code == 0:
                out = Path(cmd[cmd.index("--out") + 1])
                out.mkdir(parents=True, exist_ok=True)
                (out / data.model_file.name).write_bytes(b"retrained")
            self.stdout = io.StringIO(CACHE_FAILURE if self.code else "Your Rasa model is trained\n")

        def wait(self):
            return self.code

    lines: list[str] = []
    monkeypatch.setattr(subprocess, "Popen", RasaWithABrokenCache)
    outcome = training.train(data, root=project, status=lines.append, force=True)
    assert len(envs) == 2 and THREADS_ENV not in envs[0]
    assert outcome.trained and data.model_file.read_bytes() == b"retrained"
    assert not (data.root / "rasa-cache").exists()      # the suspect cache is dropped
    assert any("No space left on device" in line for line in lines)
    assert "after hook" in (data.logs / "train-cache-failure.log").read_text()


def test_a_component_failure_is_not_retried_and_names_the_cause(
        project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import subprocess

    data = DataDir(tmp_path / "data")
    _stamp(data, PROJECT_ROOT)
    runs: list[int] = []

    class FailingRasa:
        def __init__(self, cmd, **_kwargs):
            runs.append(1)
            self.stdout = io.StringIO("ValueError: the classifier needs two intents\n"
                                      "GraphComponentException: Error running graph component for node "
                                      "'train_LinearIntentClassifier5'.\n")

        def wait(self):
            return 1

    monkeypatch.setattr(subprocess, "Popen", FailingRasa)
    with pytest.raises(training.TrainingError) as raised:
        training.train(data, root=project, force=True)
    assert runs == [1]
    assert "caused by ValueError: the classifier needs two intents" in str(raised.value)
    assert data.model_file.read_bytes() == b"model"


def test_training_exports_minilm_to_onnx_only_when_its_file_is_missing(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    from assistant import embeddings
    from assistant.minilm_onnx import ENCODER_DIR_ENV, onnx_file

    calls: list[bool] = []
    monkeypatch.setattr(embeddings, "ensure_onnx", lambda int8=False: calls.append(int8))
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: object() if name == "onnx" else None)
    monkeypatch.setenv(ENCODER_DIR_ENV, str(tmp_path))
    monkeypatch.delenv(embeddings.ENCODER_ENV, raising=False)
    training.ensure_encoder()
    assert calls == [False]                      # missing: exported (fp32)
    onnx_file(embeddings.model_path()).write_bytes(b"made")
    training.ensure_encoder()
    assert calls == [False]                      # there: left alone
    onnx_file(embeddings.model_path()).unlink()
    monkeypatch.setenv(embeddings.ENCODER_ENV, "numpy")
    training.ensure_encoder()
    assert calls == [False]                      # numpy asked for: no torch, no export
    monkeypatch.delenv(embeddings.ENCODER_ENV)
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    training.ensure_encoder()
    assert calls == [False]                      # no onnx package: numpy stays, no torch import
