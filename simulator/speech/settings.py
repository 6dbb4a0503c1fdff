"""The recogniser's set-up for a run: pocketsphinx's general English model at its faster
settings, with the home's own words it lacks added (the names a real assistant is told about).

The home language model of `simulator.speech.language_model` (Home Assistant's sentence
templates filled with the home and the catalogs, mixed with a slice of the general model) is
not the default: on clean TTS of HWU64 sentences it was no better than the general model
(docs/RESULTS.md, `python -m simulator.speech.lm_check`). ``model="home"`` selects it.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MODELS = ("general", "home")


@dataclass(frozen=True)
class RecognizerSetup:
    """pocketsphinx's settings, and words (with ARPAbet) added to its dictionary and model."""

    settings: tuple[tuple[str, Any], ...]
    words: tuple[tuple[str, str], ...] = ()

    @property
    def config(self) -> dict[str, Any]:
        return dict(self.settings)

    def key(self) -> str:
        """What decides the recogniser's output, for the heard cache."""
        named = [[k, Path(v).name if isinstance(v, str) and "/" in v else str(v)] for k, v in self.settings]
        blob = json.dumps(named + [list(w) for w in self.words])
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def recognizer_setup(data_dir: Path | None, model: str = "general") -> RecognizerSetup:
    """The set-up of ``model`` (the home model is built once into ``data_dir/speech``)."""
    from simulator.speech import language_model as lm

    if model not in MODELS:
        raise ValueError(f"unknown recogniser model {model!r}; choose one of {', '.join(MODELS)}")
    built = None
    if model == "home":
        from assistant.paths import DEFAULT_DATA_DIR

        folder = Path(data_dir if data_dir is not None else DEFAULT_DATA_DIR) / "speech" / "home-lm"
        built = lm.ensure_language_model(folder)
    settings = lm.decoder_config(built, fast=True)
    return RecognizerSetup(tuple(sorted(settings.items())), () if built else home_words())


@functools.lru_cache(maxsize=1)
def home_words() -> tuple[tuple[str, str], ...]:
    """The home's and the catalogs' words missing from the CMU dictionary, pronounced by hibari's
    G2P in ARPAbet ("coldplay" -> K OW L D P L EY)."""
    from simulator.speech import language_model as lm

    names = lm.domain_names()
    words = sorted({w for group in (names.devices, names.areas, names.cities, names.media, names.phrases)
                    for name in group for w in name.split()})
    known = lm.cmu_dictionary()
    return tuple(sorted(lm.g2p_entries([w for w in words if w not in known]).items()))
