"""The two real components: hibari's neural TTS and CMU pocketsphinx, loaded once per process.

Either missing or failing to load raises `SpeechUnavailable` with one line naming the package
and the ``--asr confusions`` alternative; nothing has been heard by then.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from simulator.speech.settings import RecognizerSetup

VOICE = "heart"       # the one voice inside hibari's wheel; the others download, so never ask for them
FILLER_WORDS = frozenset({"<s>", "</s>", "<sil>", "[noise]", "<unk>"})


class SpeechUnavailable(RuntimeError):
    """The TTS or the recogniser cannot run here."""


def unavailable(package: str, error: BaseException) -> SpeechUnavailable:
    return SpeechUnavailable(
        f"the speech channel needs {package} ({type(error).__name__}: {error}); install it with "
        f"`make setup`, or run with --asr confusions")


@dataclass(frozen=True)
class Recognition:
    """What the recogniser wrote, and its own confidence (mean posterior of the words)."""

    text: str
    confidence: float


class Voice:
    """hibari's TTS: text -> float audio at 24 kHz."""

    def __init__(self) -> None:
        try:
            from hibari import Hibari

            self._tts = Hibari(voice=VOICE, threads=1)
        except Exception as error:  # ImportError, a missing or corrupt model file, onnxruntime
            raise unavailable("hibari-tts", error) from error

    def say(self, text: str, *, speed: float, seed: int) -> np.ndarray:
        try:
            audio = self._tts(text, speed=speed, seed=seed)
        except Exception as error:  # the G2P or the model on text it cannot say
            raise SpeechUnavailable(f"the TTS could not say {text[:60]!r}: {error}") from error
        return np.asarray(audio, dtype=np.float64)


class Recognizer:
    """pocketsphinx with the settings given (`simulator.speech.settings`).

    pocketsphinx carries state from one utterance to the next (the cepstral mean estimate, the
    Gaussians selected in the last frame), so what it heard would depend on what it heard
    before, and a cached result could differ from a fresh one. Every utterance therefore starts
    from freshly initialised features (``reinit_feat``, a tenth of a millisecond).
    """

    def __init__(self, setup: RecognizerSetup) -> None:
        try:
            import pocketsphinx

            self._decoder = pocketsphinx.Decoder(pocketsphinx.Config(**setup.config))
            for word, phones in setup.words:   # pocketsphinx refuses a batch (update=False) here
                self._decoder.add_word(word, phones, True)
        except Exception as error:
            raise unavailable("pocketsphinx", error) from error

    def recognize(self, pcm: bytes) -> Recognition:
        decoder = self._decoder
        decoder.reinit_feat()
        decoder.start_utt()
        decoder.process_raw(pcm, full_utt=True)
        decoder.end_utt()
        hypothesis = decoder.hyp()
        if hypothesis is None or not hypothesis.hypstr.strip():
            return Recognition("", 0.0)
        _ = hypothesis.prob          # computes the lattice posteriors the segments read
        posteriors = [min(1.0, segment.prob) for segment in decoder.seg()
                      if segment.word.split("(")[0].lower() not in FILLER_WORDS]
        confidence = sum(posteriors) / len(posteriors) if posteriors else 0.0
        return Recognition(" ".join(hypothesis.hypstr.lower().split()), round(confidence, 3))


class Engines:
    """The TTS and the recogniser, built on first use (one pair per process and settings)."""

    _lock = threading.Lock()
    _shared: dict[str, "Engines"] = {}

    def __init__(self, setup: RecognizerSetup) -> None:
        self.voice = Voice()
        self.recognizer = Recognizer(setup)

    @classmethod
    def shared(cls, setup: RecognizerSetup) -> "Engines":
        key = f"{os.getpid()}:{setup.key()}"
        with cls._lock:
            if key not in cls._shared:
                cls._shared[key] = cls(setup)
            return cls._shared[key]
