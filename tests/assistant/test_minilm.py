"""MiniLM in numpy and through ONNX Runtime: the vectors of sentence-transformers, without torch in the process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant import embeddings
from assistant.minilm import NumpyMiniLM
from assistant.minilm_onnx import ENCODER_DIR_ENV, OnnxMiniLM, ensure_onnx, onnx_file

TEXTS = ["turn on the kitchen light", "  Could you play some Jazz, please?  ", "",
         "été à Zürich: 東京 weather 🌧", "what's on at 7:30 p.m. tomorrow", "ok", "ok",
         "x " * 300,   # past the 256-token limit: truncated alike
         *(f"could you dim lamp number {i} to {i * 3} percent" for i in range(40))]


@pytest.fixture(scope="module")
def reference() -> np.ndarray:
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(embeddings.model_path()), device="cpu").encode(
        TEXTS, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)


@pytest.fixture(scope="module")
def onnx_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the packaged MiniLM exported to ONNX by `ensure_onnx` (torch, once)."""
    pytest.importorskip("onnx", reason="the ONNX export needs the onnx package (requirements.lock; run make setup)")
    folder = tmp_path_factory.mktemp("encoder")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(ENCODER_DIR_ENV, str(folder))
        made = ensure_onnx(embeddings.model_path())
    assert made is not None and made.parent == folder and made.stat().st_size > 80_000_000
    return folder


def test_numpy_minilm_gives_the_vectors_of_sentence_transformers(reference: np.ndarray) -> None:
    ours = NumpyMiniLM(embeddings.model_path()).encode(TEXTS)
    assert ours.shape == reference.shape == (len(TEXTS), embeddings.DIMENSIONS)
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours, reference, atol=1e-5)
    assert NumpyMiniLM(embeddings.model_path()).encode([]).shape == (0, embeddings.DIMENSIONS)


def test_onnx_minilm_gives_the_vectors_of_sentence_transformers(onnx_dir: Path, reference: np.ndarray,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENCODER_DIR_ENV, str(onnx_dir))
    encoder = OnnxMiniLM(onnx_file(embeddings.model_path()), embeddings.model_path())
    ours = encoder.encode(TEXTS)
    assert ours.shape == reference.shape and ours.dtype == np.float32
    np.testing.assert_allclose(ours, reference, atol=1e-5)
    one_by_one = np.concatenate([encoder.encode([t]) for t in TEXTS])   # a turn's single sentence
    np.testing.assert_allclose(one_by_one, reference, atol=1e-5)
    assert encoder.encode([]).shape == (0, embeddings.DIMENSIONS)


def test_the_onnx_file_is_used_when_there_and_numpy_otherwise(onnx_dir: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    def chosen() -> str:
        embeddings.model.cache_clear()
        try:
            return type(embeddings.model()).__name__
        finally:
            embeddings.model.cache_clear()

    monkeypatch.setenv(ENCODER_DIR_ENV, str(onnx_dir))
    assert chosen() == "OnnxMiniLM"
    monkeypatch.setenv(embeddings.ENCODER_ENV, "numpy")
    assert chosen() == "NumpyMiniLM"
    monkeypatch.delenv(embeddings.ENCODER_ENV)
    monkeypatch.setenv(ENCODER_DIR_ENV, str(tmp_path))      # no file here
    assert chosen() == "NumpyMiniLM"
    broken = onnx_file(embeddings.model_path())
    broken.write_bytes(b"not an onnx model")
    assert chosen() == "NumpyMiniLM"                          # a damaged file is not fatal


def test_a_failed_export_leaves_no_file_and_numpy_in_use(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant import minilm_onnx

    def failing(folder: Path, target: Path) -> float:
        raise ModuleNotFoundError("No module named 'onnx'")

    monkeypatch.setenv(ENCODER_DIR_ENV, str(tmp_path))
    monkeypatch.setattr(minilm_onnx, "export", failing)
    assert ensure_onnx(embeddings.model_path()) is None
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("encoder", ["onnx", "numpy"])
def test_embedding_a_sentence_imports_no_torch(encoder: str, request: pytest.FixtureRequest,
                                               tmp_path: Path) -> None:
    # torch and sentence-transformers took 10.7 s of `assistant chat`'s start on 2 cores.
    folder = request.getfixturevalue("onnx_dir") if encoder == "onnx" else tmp_path
    code = ("import sys; from assistant import embeddings; v = embeddings.encode(['hello there']); "
            "print(v.shape, type(embeddings.model()).__name__, "
            "sorted({'torch', 'sentence_transformers', 'transformers'} & set(sys.modules)))")
    env = {**os.environ, ENCODER_DIR_ENV: str(folder), embeddings.ENCODER_ENV: encoder}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    name = {"onnx": "OnnxMiniLM", "numpy": "NumpyMiniLM"}[encoder]
    assert out.stdout.strip() == f"(1, 384) {name} []"


def test_the_int8_file_is_opt_in_and_close_to_torch(onnx_dir: Path, reference: np.ndarray,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.minilm_onnx import ensure_int8, int8_file

    monkeypatch.setenv(ENCODER_DIR_ENV, str(onnx_dir))
    made = ensure_int8(embeddings.model_path())
    assert made == int8_file(embeddings.model_path()) and made.stat().st_size < 30_000_000
    embeddings.model.cache_clear()
    try:
        assert type(embeddings.model()).__name__ == "OnnxMiniLM"
        plain = embeddings.model().encode(TEXTS)
        embeddings.model.cache_clear()
        monkeypatch.setenv(embeddings.ENCODER_ENV, "int8")
        ours = embeddings.model().encode(TEXTS)
    finally:
        embeddings.model.cache_clear()
    np.testing.assert_allclose(plain, reference, atol=1e-5)          # int8 is not the default
    cosines = np.sum(ours * reference, axis=1)
    assert 0.9 < cosines.min() and np.abs(ours - reference).max() > 1e-3   # close, but not torch's
