"""The fine-tuned encoder: its pairs, its cache by fingerprint, a broken cache and a missing package."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant import embeddings
from lab.evaluation.finetune import FinetuneError, Settings, _hash, cached, encoder_for, fingerprint, make_pairs

EXAMPLES = [("turn on the lamp", "turn_on"), ("switch the light on", "turn_on"), ("lights on", "turn_on"),
            ("play some jazz", "play_media"), ("put on a podcast", "play_media"), ("play music", "play_media")]


def _fake_encoder(folder: Path, examples: list[tuple[str, str]], settings: Settings) -> Path:
    shutil.copytree(embeddings.model_path(), folder)
    meta = {"settings": {"pairs": settings.pairs, "freeze": settings.freeze, "seed": settings.seed,
                         "lr": settings.lr}, "examples": sorted({_hash(t, i) for t, i in examples})}
    (folder / "meta.json").write_text(json.dumps(meta))
    return folder


def test_pairs_alternate_same_and_other_intent_and_follow_the_seed() -> None:
    pairs = make_pairs(EXAMPLES, 2, seed=3)
    intent = dict(EXAMPLES)
    assert len(pairs) == 12
    assert sum(label == 1.0 for _, _, label in pairs) == 6
    for left, right, label in pairs:
        assert (intent[left] == intent[right]) == (label == 1.0)
    assert pairs == make_pairs(EXAMPLES, 2, seed=3) != make_pairs(EXAMPLES, 2, seed=4)


def test_the_fingerprint_ignores_order_and_sees_examples_and_settings() -> None:
    s = Settings()
    assert fingerprint(EXAMPLES, s) == fingerprint(list(reversed(EXAMPLES)), s)
    assert fingerprint(EXAMPLES, s) != fingerprint(EXAMPLES[:-1], s)
    assert fingerprint(EXAMPLES, s) != fingerprint(EXAMPLES, Settings(seed=31))


def test_a_cached_encoder_serves_a_small_change_but_not_a_large_one(tmp_path) -> None:
    many = [(f"play song number {n}", "play_media") for n in range(100)]
    folder = _fake_encoder(tmp_path / "a", many, Settings())
    assert cached(tmp_path, many + [("play one more", "play_media")], Settings()) == folder
    assert cached(tmp_path, many + [(f"new {n}", "play_media") for n in range(20)], Settings()) is None
    assert cached(tmp_path, many, Settings(freeze=2)) is None


def test_a_corrupt_cached_encoder_is_removed_and_rebuilt(tmp_path, monkeypatch) -> None:
    folder = _fake_encoder(tmp_path / "a", EXAMPLES, Settings())
    (folder / "model.safetensors").write_bytes(b"not weights" * 10)
    assert cached(tmp_path, EXAMPLES, Settings()) is None
    assert not folder.exists()
    built: list[Path] = []

    def fake_finetune(examples, out, settings, report):
        built.append(_fake_encoder(out, list(examples), settings))
        return 0.0

    monkeypatch.setattr("lab.evaluation.finetune.finetune", fake_finetune)
    assert encoder_for(tmp_path, EXAMPLES, Settings()) == built[0] == tmp_path / fingerprint(EXAMPLES, Settings())
    assert encoder_for(tmp_path, EXAMPLES, Settings()) == built[0] and len(built) == 1


def test_a_missing_package_names_itself(tmp_path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    with pytest.raises(FinetuneError, match="sentence_transformers"):
        encoder_for(tmp_path, EXAMPLES, Settings())
    assert not (tmp_path / fingerprint(EXAMPLES, Settings())).exists()


def test_a_real_fine_tune_moves_the_vectors_and_runs_in_numpy(tmp_path) -> None:
    from assistant.minilm import NumpyMiniLM

    folder = encoder_for(tmp_path, EXAMPLES, Settings(pairs=1, freeze=5, lr=1e-3))
    tuned = NumpyMiniLM(folder).encode(["play some jazz", "turn on the lamp"])
    packaged = embeddings.encode(["play some jazz", "turn on the lamp"])
    assert tuned.shape == packaged.shape
    assert not np.allclose(tuned, packaged, atol=1e-3)
    assert json.loads((folder / "meta.json").read_text())["pairs"] == len(EXAMPLES)
