"""MiniLM vectors of normalized utterances, kept beside the rewrite table between mining runs.

Mining runs again and again over a growing log whose utterances mostly repeat; embedding is
its slowest step, so each distinct utterance is embedded once, ever. The cache is only an
optimization: if it cannot be read or written, the vectors are computed as usual.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Sequence

from assistant.db import create_all
from assistant.similarity import Encoder, pair_cosine
from assistant.text import MAX_KEY

if TYPE_CHECKING:
    import numpy as np

logger = logging.getLogger(__name__)
_CHUNK = 500


def _table(metadata: Any) -> Any:
    import sqlalchemy as sa

    return sa.Table(
        "utterance_vectors", metadata,
        sa.Column("text", sa.String(MAX_KEY), primary_key=True),
        sa.Column("vector", sa.LargeBinary, nullable=False),
    )


class VectorCache:
    """Vectors by text in a SQL table (created on first use)."""

    def __init__(self, engine: Any, encode: Encoder | None = None, dimensions: int | None = None) -> None:
        import sqlalchemy as sa

        from assistant import embeddings

        self._engine = engine
        self._encode = encode or embeddings.encode
        self._dimensions = dimensions or embeddings.DIMENSIONS
        self._metadata = sa.MetaData()
        self._vectors = _table(self._metadata)
        self.hits = 0
        self.computed = 0

    def vectors(self, texts: Sequence[str]) -> "np.ndarray":
        """Unit vectors of ``texts`` (float32, one row each), embedding only unknown ones."""
        import numpy as np

        found = self._load(texts)
        missing = [t for t in texts if t not in found]
        if missing:
            fresh = self._encode(missing)
            self._save(dict(zip(missing, fresh)))
            found.update(zip(missing, fresh))
        self.hits += len(texts) - len(missing)
        self.computed += len(missing)
        if not texts:
            return np.zeros((0, self._dimensions), dtype=np.float32)
        return np.stack([found[t] for t in texts]).astype(np.float32)

    def _load(self, texts: Sequence[str]) -> dict[str, "np.ndarray"]:
        import numpy as np

        t = self._vectors
        found: dict[str, np.ndarray] = {}
        try:
            create_all(self._metadata, self._engine)
            with self._engine.connect() as conn:
                for start in range(0, len(texts), _CHUNK):
                    chunk = list(texts[start:start + _CHUNK])
                    for text, blob in conn.execute(t.select().where(t.c.text.in_(chunk))):
                        vector = np.frombuffer(blob, dtype=np.float32)
                        if vector.shape == (self._dimensions,):
                            found[text] = vector
        except Exception as error:  # noqa: BLE001 - a cache miss, not a failure
            logger.warning("could not read cached vectors: %s", error)
            return {}
        return found

    def _save(self, vectors: dict[str, "np.ndarray"]) -> None:
        import numpy as np

        t = self._vectors
        rows = [{"text": text, "vector": np.asarray(vector, dtype=np.float32).tobytes()}
                for text, vector in vectors.items() if len(text) <= MAX_KEY]
        try:
            with self._engine.begin() as conn:
                existing = set()
                for start in range(0, len(rows), _CHUNK):
                    chunk = [r["text"] for r in rows[start:start + _CHUNK]]
                    existing.update(conn.execute(t.select().with_only_columns(t.c.text)
                                                 .where(t.c.text.in_(chunk))).scalars())
                new = [r for r in rows if r["text"] not in existing]
                if new:
                    conn.execute(t.insert(), new)
        except Exception as error:  # noqa: BLE001 - the vectors are still used this time
            logger.warning("could not cache vectors: %s", error)

    def similarity(self, pairs: Sequence[tuple[str, str]]) -> list[float]:
        """Cosine of each pair (a `PairSimilarity`), each distinct text looked up once."""
        return pair_cosine(pairs, self.vectors)
