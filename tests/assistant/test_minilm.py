"""MiniLM in numpy: the vectors of sentence-transformers, without torch in the process."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

from assistant import embeddings


def test_numpy_minilm_gives_the_vectors_of_sentence_transformers():
    from sentence_transformers import SentenceTransformer

    texts = ["turn on the kitchen light", "  Could you play some Jazz, please?  ", "",
             "été à Zürich: 東京 weather 🌧", "what's on at 7:30 p.m. tomorrow", "ok", "ok",
             "x " * 300,   # past the 256-token limit: truncated alike
             *(f"could you dim lamp number {i} to {i * 3} percent" for i in range(40))]
    ours = embeddings.model().encode(texts)
    reference = SentenceTransformer(str(embeddings.model_path()), device="cpu").encode(
        texts, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
    assert ours.shape == reference.shape == (len(texts), embeddings.DIMENSIONS)
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours, reference, atol=1e-5)
    assert embeddings.model().encode([]).shape == (0, embeddings.DIMENSIONS)


def test_embedding_a_sentence_imports_no_torch():
    # torch and sentence-transformers took 10.7 s of `assistant chat`'s start on 2 cores.
    code = ("import sys; from assistant import embeddings; v = embeddings.encode(['hello there']); "
            "print(v.shape, sorted({'torch', 'sentence_transformers', 'transformers'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "(1, 384) []"
