"""Measure the domain language model against the general one on spoken HWU64 requests.

    python -m simulator.speech.lm_check --sentences 30 --seed 0

Takes smart-home-ish HWU64 sentences (measured on only, never model text), speaks them with
hibari's "heart" voice, resamples to 16 kHz and decodes them with pocketsphinx using the general
model, then the domain model at a few interpolation weights and speed settings. Prints word error
rate, the share of utterances with an error, and mean decode time.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulator.population.hwu64 import DEFAULT_CORPUS
from simulator.speech.language_model import (
    DEFAULT_LAMBDA,
    FAST_SETTINGS,
    LanguageModel,
    build_language_model,
    decoder_config,
    normalize_text,
)

SMART_HOME_PREFIXES = ("iot_", "play_", "weather_", "alarm_", "music_")
VOICE = "heart"  # the only voice shipped inside hibari; the others are downloaded


@dataclass(frozen=True)
class Score:
    """Word errors over a set of utterances."""

    errors: int
    words: int
    wrong_utterances: int
    utterances: int
    ms: float

    @property
    def wer(self) -> float:
        return self.errors / max(self.words, 1)


def word_errors(reference: Sequence[str], hypothesis: Sequence[str]) -> int:
    """Levenshtein distance over words (substitutions, insertions, deletions)."""
    from rapidfuzz.distance import Levenshtein

    return int(Levenshtein.distance(list(reference), list(hypothesis)))


def pick_sentences(n: int, seed: int, path: Path = Path(DEFAULT_CORPUS)) -> list[str]:
    """``n`` smart-home sentences from HWU64, chosen by ``seed``."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = sorted({r["sentence"] for r in rows if str(r.get("intent", "")).startswith(SMART_HOME_PREFIXES)})
    return random.Random(seed).sample(texts, min(n, len(texts)))


def speak(texts: Sequence[str]) -> list[bytes]:
    """16 kHz 16-bit PCM of each text, spoken by hibari's shipped voice."""
    import numpy as np
    from hibari import Hibari
    from scipy.signal import resample_poly

    tts = Hibari(voice=VOICE)
    out = []
    for i, text in enumerate(texts):
        audio = np.asarray(tts(text, seed=i), dtype=np.float64)
        audio = resample_poly(audio, 2, 3)
        out.append((np.clip(audio, -1.0, 1.0) * 32767).astype(np.int16).tobytes())
    return out


def decode_all(config: dict[str, Any], pcms: Sequence[bytes]) -> tuple[list[str], float]:
    """Hypotheses for every utterance and the mean decode time in ms."""
    import pocketsphinx

    decoder = pocketsphinx.Decoder(**config)
    hyps = []
    start = time.perf_counter()
    for pcm in pcms:
        decoder.start_utt()
        decoder.process_raw(pcm, full_utt=True)
        decoder.end_utt()
        hyp = decoder.hyp()
        hyps.append(hyp.hypstr if hyp is not None else "")
    return hyps, 1000 * (time.perf_counter() - start) / max(len(pcms), 1)


def score(references: Sequence[str], hypotheses: Sequence[str], ms: float) -> Score:
    """WER with both sides normalised the same way."""
    errors = words = wrong = 0
    for ref, hyp in zip(references, hypotheses):
        r, h = normalize_text(ref).split(), normalize_text(hyp).split()
        e = word_errors(r, h)
        errors, words, wrong = errors + e, words + len(r), wrong + (e > 0)
    return Score(errors, words, wrong, len(references), ms)


def main(argv: Sequence[str] | None = None) -> None:
    """Print the WER/time table for the general and the domain model."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--lambdas", type=float, nargs="+", default=[DEFAULT_LAMBDA])
    parser.add_argument("--general-words", type=int, nargs="+", default=[])
    parser.add_argument("--speed", action="store_true", help="also try speed settings")
    parser.add_argument("--show", action="store_true", help="print each utterance's hypotheses")
    args = parser.parse_args(argv)

    texts = pick_sentences(args.sentences, args.seed)
    pcms = speak(texts)
    runs: list[tuple[str, dict[str, Any]]] = [("general", decoder_config(None))]
    with tempfile.TemporaryDirectory() as tmp:
        models: list[tuple[str, LanguageModel]] = []
        for lam in args.lambdas:
            models.append((f"domain lam={lam}", build_language_model(Path(tmp) / f"lm-{lam}", lam=lam)))
        for words in args.general_words:
            name = f"domain lam={args.lambdas[0]} words={words}"
            models.append((name, build_language_model(Path(tmp) / f"lm-w{words}", lam=args.lambdas[0],
                                                      general_words=words)))
        runs += [(name, decoder_config(lm)) for name, lm in models]
        if args.speed:
            base = decoder_config(models[0][1])
            for label, extra in [("fast", FAST_SETTINGS), ("ds=2", {"ds": 2}),
                                 ("beam 1e-40 wbeam 1e-30", {"beam": 1e-40, "wbeam": 1e-30, "pbeam": 1e-40}),
                                 ("topn=2 maxhmmpf=2000 ds=2", {"topn": 2, "maxhmmpf": 2000, "ds": 2})]:
                runs.append((f"{models[0][0]} {label}", {**base, **extra}))
            runs.append(("general fast", decoder_config(None, fast=True)))
        print(f"{len(texts)} HWU64 smart-home sentences, seed {args.seed}")
        print(f"{'model':45} {'WER':>6} {'utt err':>8} {'ms/utt':>7}")
        shown: dict[str, list[str]] = {}
        for name, config in runs:
            hyps, ms = decode_all(config, pcms)
            s = score(texts, hyps, ms)
            shown[name] = hyps
            print(f"{name:45} {100 * s.wer:5.1f}% {100 * s.wrong_utterances / s.utterances:7.1f}% {s.ms:7.0f}")
    if args.show:
        for i, text in enumerate(texts):
            print(f"\nREF  {normalize_text(text)}")
            for name, hyps in shown.items():
                print(f"{name[:20]:20} {hyps[i]}")


if __name__ == "__main__":
    main()
