"""Measure one trained model on SLURP devel (and HWU64's statements of taste), in its own process.

Run by `compare` once per candidate, so that each load is timed from a cold process as a
user would wait for it::

    python -m lab.evaluation.measure --model M.tar.gz --slurp devel.jsonl --json OUT.json

Figures: intent accuracy, fallback rate and confidently wrong rate (a wrong intent that
passed the fallback threshold) on covered SLURP intents; the share of out-of-scope rows
answered ``out_of_scope``; entity F1 per mapped type; statements of taste on SLURP and on
HWU64's ``music_likeness`` rows; intent accuracy on the HWU64 held-out tenth that no simulated
user speaks (`simulator.population.real_phrasing.held_out_examples`, the figure the nightly
runs report); import + load seconds; parse p50/p95 in ms.
"""

from __future__ import annotations

import time

_STARTED = time.perf_counter()

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
from collections import Counter  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from lab.evaluation import entities as ents  # noqa: E402

FALLBACK = "nlu_fallback"
OUT_OF_SCOPE = "out_of_scope"
TASTE = "state_preference"
HWU_TASTE_INTENT = "music_likeness"
_WAKE = re.compile(r"\bolly\b")
_PUNCT = re.compile(r"[^\w\s']+")


@dataclass(frozen=True)
class Parsed:
    """What the model said about one text, and how long it took.

    ``ranking`` is the classifier's own (intent, confidence) list, before the fallback.
    """

    intent: str
    confidence: float
    entities: tuple[dict[str, Any], ...]
    text: str
    ms: float
    ranking: tuple[tuple[str, float], ...] = ()

    def at_threshold(self, threshold: float, ambiguity: float, out_of_scope_margin: float | None = None) -> str:
        """The intent a FallbackClassifier with these settings would have let through (with
        ``out_of_scope_margin``: the ScopedFallbackClassifier, which lets a clear out of scope through)."""
        from assistant.components.scoped_fallback import clear_out_of_scope

        ranked = [r for r in self.ranking if r[0] != FALLBACK]
        if not ranked:
            return self.intent
        if out_of_scope_margin is not None and clear_out_of_scope(ranked, out_of_scope_margin):
            return OUT_OF_SCOPE
        top = ranked[0]
        second = ranked[1][1] if len(ranked) > 1 else 0.0
        if top[1] < threshold or top[1] - second < ambiguity:
            return FALLBACK
        return top[0]


SWEEP = (0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5)


def threshold_sweep(rows: list[tuple[str, Parsed]], out_of_scope: list[Parsed],
                    ambiguity: float = 0.05, out_of_scope_margin: float | None = None) -> list[dict[str, float]]:
    """Accuracy, fallback, confidently wrong and out-of-scope share at each fallback threshold
    (the model's own out-of-scope margin kept)."""
    sweep = []
    for t in SWEEP:
        said = [(want, p.at_threshold(t, ambiguity, out_of_scope_margin)) for want, p in rows]
        n = max(1, len(said))
        sweep.append({
            "threshold": t,
            "accuracy": sum(got == want for want, got in said) / n,
            "fallback_rate": sum(got == FALLBACK for _, got in said) / n,
            "confidently_wrong_rate": sum(got not in (want, FALLBACK) for want, got in said) / n,
            "out_of_scope_answered": sum(p.at_threshold(t, ambiguity, out_of_scope_margin) == OUT_OF_SCOPE
                                         for p in out_of_scope)
            / max(1, len(out_of_scope)),
        })
    return sweep


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) by nearest rank; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[rank]


def quantiles(values: Sequence[float]) -> dict[str, float]:
    """The 10th, 25th, 50th and 75th percentiles, and how many values."""
    return {"n": len(values), **{f"p{q}": percentile(values, q) for q in (10, 25, 50, 75)}}


def hwu_speech(sentence: str) -> str:
    """An HWU64 row as an ASR front end would hand it over (lower case, no wake word)."""
    text = _WAKE.sub(" ", _PUNCT.sub(" ", sentence.lower()))
    return " ".join(text.split())


def intent_figures(rows: list[tuple[str, Parsed]]) -> dict[str, Any]:
    """Accuracy, fallback and confidently-wrong rates over (expected, parsed) rows."""
    n = len(rows)
    right = sum(p.intent == want for want, p in rows)
    fallback = sum(p.intent == FALLBACK for _, p in rows)
    wrong_confident = sum(p.intent not in (want, FALLBACK) for want, p in rows)
    per: Counter[str] = Counter(want for want, _ in rows)
    per_right: Counter[str] = Counter(want for want, p in rows if p.intent == want)
    confusions = Counter((want, p.intent) for want, p in rows if p.intent != want)
    return {
        "n": n, "accuracy": right / n if n else 0.0,
        "fallback_rate": fallback / n if n else 0.0,
        "confidently_wrong_rate": wrong_confident / n if n else 0.0,
        "per_intent": {k: {"n": v, "accuracy": per_right[k] / v} for k, v in sorted(per.items())},
        "confusions": [{"expected": e, "predicted": p, "count": c}
                       for (e, p), c in confusions.most_common(12)],
    }


class _Parser:
    def __init__(self, model: Path) -> None:
        from assistant.runtime import quiet_logs

        quiet_logs(False)
        from rasa.core.agent import Agent

        self.loop = asyncio.new_event_loop()
        self.agent = Agent.load(str(model))

    def out_of_scope_margin(self) -> float | None:
        """The model's ScopedFallbackClassifier margin; None under Rasa's own FallbackClassifier."""
        from assistant.components.scoped_fallback import MARGIN_KEY, ScopedFallbackClassifier

        schema = self.agent.processor.model_metadata.predict_schema if self.agent.processor else None
        for node in (schema.nodes.values() if schema else ()):
            if node.uses is ScopedFallbackClassifier:
                return float(node.config.get(MARGIN_KEY, ScopedFallbackClassifier.get_default_config()[MARGIN_KEY]))
        return None

    def parse(self, text: str) -> Parsed:
        from assistant.context import clean_text

        cleaned = clean_text(text).text
        start = time.perf_counter()
        out = self.loop.run_until_complete(self.agent.parse_message(cleaned))
        ms = (time.perf_counter() - start) * 1000
        intent = out.get("intent") or {}
        ranking = tuple((str(r.get("name")), float(r.get("confidence") or 0.0))
                        for r in out.get("intent_ranking") or ())
        return Parsed(str(intent.get("name") or "<none>"), float(intent.get("confidence") or 0.0),
                      tuple(out.get("entities") or ()), str(out.get("text") or cleaned), ms, ranking)


def hwu_held_out(parser: "_Parser", hwu64: Path) -> dict[str, Any]:
    """Intent figures on the HWU64 held-out tenth (rows with an intent of the assistant's)."""
    from simulator.population.real_phrasing import held_out_examples, load_phrasing

    rows = [(h.expected_intent, parser.parse(h.text)) for h in held_out_examples(load_phrasing(hwu64))
            if h.expected_intent and h.text]
    return intent_figures(rows)


def measure(model: Path, slurp: Path, hwu64: Path | None) -> dict[str, Any]:
    """Every figure for one model (see the module docstring)."""
    from lab.slurp import load_mapping, load_slurp

    mapping = load_mapping()
    examples = load_slurp(slurp)
    raw_rows = [json.loads(line) for line in slurp.read_text(encoding="utf-8").splitlines() if line.strip()]
    parser = _Parser(model)
    load_seconds = time.perf_counter() - _STARTED
    parser.parse("hello")  # the first parse builds lazy state; not a user's figure
    in_scope: list[tuple[str, Parsed]] = []
    out_of_scope: list[Parsed] = []
    entity_pairs: list[tuple[list[ents.Span], list[ents.Span]]] = []
    latencies: list[float] = []
    kept = set(mapping.entities.values())
    for example, row in zip(examples, raw_rows):
        section = mapping.section(example.intent)
        if section not in ("intents", "out_of_scope_intents"):
            continue
        parsed = parser.parse(example.sentence)
        latencies.append(parsed.ms)
        if section == "out_of_scope_intents":
            out_of_scope.append(parsed)
            continue
        in_scope.append((mapping.intents[example.intent], parsed))
        entity_pairs.append((ents.gold_spans(row, mapping.entities),
                             ents.predicted_spans(parsed.text, parsed.entities, kept)))
    scores = ents.score(entity_pairs, kept)
    taste_rows = [(want, p) for want, p in in_scope if want == TASTE]
    hwu_taste: dict[str, Any] | None = None
    held_out: dict[str, Any] | None = None
    if hwu64 is not None and hwu64.exists():
        held_out = hwu_held_out(parser, hwu64)
        rows = [json.loads(line) for line in hwu64.read_text(encoding="utf-8").splitlines() if line.strip()]
        taste = [(TASTE, parser.parse(hwu_speech(r["sentence"]))) for r in rows
                 if r.get("intent") == HWU_TASTE_INTENT]
        hwu_taste = {"n": len(taste), "accuracy": sum(p.intent == TASTE for _, p in taste) / max(1, len(taste)),
                     "predicted": dict(Counter(p.intent for _, p in taste).most_common(6))}
    return {
        "model": str(model),
        "load_seconds": load_seconds,
        "parse_p50_ms": percentile(latencies, 50), "parse_p95_ms": percentile(latencies, 95),
        "intents": intent_figures(in_scope),
        "threshold_sweep": threshold_sweep(in_scope, out_of_scope, out_of_scope_margin=parser.out_of_scope_margin()),
        "confidence_right": quantiles([p.confidence for want, p in in_scope if p.intent == want]),
        "confidence_wrong": quantiles([p.confidence for want, p in in_scope
                                       if p.intent not in (want, FALLBACK)]),
        "out_of_scope": {"n": len(out_of_scope),
                         "answered_out_of_scope": sum(p.intent == OUT_OF_SCOPE for p in out_of_scope)
                         / max(1, len(out_of_scope)),
                         "predicted": dict(Counter(p.intent for p in out_of_scope).most_common(8))},
        "entities": {name: s.to_json() for name, s in scores.items()},
        "entity_f1_micro": ents.micro(scores).f1,
        "taste_slurp": {"n": len(taste_rows),
                        "accuracy": sum(p.intent == TASTE for _, p in taste_rows) / max(1, len(taste_rows))},
        "taste_hwu64": hwu_taste,
        "hwu64_held_out": held_out,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Measure one model and write its figures as JSON."""
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--model", type=Path, required=True)
    args.add_argument("--slurp", type=Path, required=True)
    args.add_argument("--hwu64", type=Path)
    args.add_argument("--json", type=Path, required=True)
    opts = args.parse_args(argv)
    figures = measure(opts.model, opts.slurp, opts.hwu64)
    opts.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
