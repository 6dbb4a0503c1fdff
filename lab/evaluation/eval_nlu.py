"""Intent accuracy of our NLU on SLURP, through the mapping in ``lab/data/slurp_mapping.yml``.

SLURP is an evaluation set only; nothing here writes training data. Everything except
`rasa_parser` works without Rasa: `evaluate` takes any batch parser, so tests pass a fake.

Usage::

    python -m lab.evaluation.eval_nlu --model .data/models/smarthome.tar.gz \\
        --slurp ../shared/data/slurp/devel.jsonl [--no-out-of-scope] [--json report.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from lab.slurp import (
    DEFAULT_MAPPING,
    FALLBACK_INTENT,
    NO_INTENT,
    MappingError,
    SlurpExample,
    SlurpFileError,
    SlurpMapping,
    load_mapping,
    load_slurp,
)

if TYPE_CHECKING:
    from rasa.core.agent import Agent
    from rich.console import Console

Parser = Callable[[list[str]], list[tuple[str, float]]]
"""Parses a batch of texts; returns one (intent name, confidence) per text, in order."""

Progress = Callable[[int, int], None]
"""Called after each batch with (examples parsed so far, examples to parse)."""


# -- evaluation ----------------------------------------------------------------------


@dataclass(frozen=True)
class IntentScore:
    """How many examples with one expected label were scored, and how many were right."""

    n: int
    correct: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.n if self.n else 0.0

    def to_json(self) -> dict[str, Any]:
        return {"n": self.n, "correct": self.correct, "accuracy": self.accuracy}


@dataclass(frozen=True)
class Confusion:
    """One kind of mistake: expected one intent, the model said another."""

    expected: str
    predicted: str
    count: int


@dataclass(frozen=True)
class Prediction:
    """One scored example and what the model said."""

    sentence: str
    slurp_intent: str
    expected: str
    predicted: str
    confidence: float

    @property
    def correct(self) -> bool:
        return self.predicted == self.expected


@dataclass(frozen=True)
class NluReport:
    """The result of `evaluate`.

    Attributes:
        include_out_of_scope: Whether out-of-scope SLURP intents were scored.
        n_total: Examples given.
        n_evaluated: Examples scored.
        n_correct: Scored examples predicted right (``nlu_fallback`` is never right).
        n_unmapped: Examples not scored: unmapped, out-of-scope when excluded, or absent
            from the mapping. ``n_evaluated + n_unmapped == n_total``.
        n_fallback: Scored examples predicted ``nlu_fallback``.
        per_intent: Our expected intent -> score.
        per_slurp_intent: Canonical SLURP intent -> score (scored examples only).
        confusions: The most frequent (expected, predicted) mistakes, most first.
        unmapped_by_intent: SLURP intent -> examples not scored.
        unknown_intents: SLURP intents missing from the mapping (a stale mapping).
        predictions: Every scored example with its prediction, in input order.
    """

    include_out_of_scope: bool
    n_total: int
    n_evaluated: int
    n_correct: int
    n_unmapped: int
    n_fallback: int
    per_intent: dict[str, IntentScore]
    per_slurp_intent: dict[str, IntentScore]
    confusions: list[Confusion]
    unmapped_by_intent: dict[str, int] = field(default_factory=dict)
    unknown_intents: tuple[str, ...] = ()
    predictions: tuple[Prediction, ...] = ()

    @property
    def accuracy(self) -> float:
        """Correct / scored (0.0 when nothing was scored)."""
        return self.n_correct / self.n_evaluated if self.n_evaluated else 0.0

    @property
    def fallback_rate(self) -> float:
        """Share of scored examples predicted ``nlu_fallback``."""
        return self.n_fallback / self.n_evaluated if self.n_evaluated else 0.0

    def to_json(self, *, include_predictions: bool = False) -> dict[str, Any]:
        """A JSON-safe dict of the report (predictions only when asked)."""
        out: dict[str, Any] = {
            "accuracy": self.accuracy,
            "n_evaluated": self.n_evaluated,
            "n_correct": self.n_correct,
            "n_unmapped": self.n_unmapped,
            "n_total": self.n_total,
            "include_out_of_scope": self.include_out_of_scope,
            "fallback_rate": self.fallback_rate,
            "n_fallback": self.n_fallback,
            "per_intent": {k: v.to_json() for k, v in sorted(self.per_intent.items())},
            "per_slurp_intent": {k: v.to_json() for k, v in sorted(self.per_slurp_intent.items())},
            "confusions": [
                {"expected": c.expected, "predicted": c.predicted, "count": c.count}
                for c in self.confusions
            ],
            "unmapped_by_intent": dict(sorted(self.unmapped_by_intent.items())),
            "unknown_intents": list(self.unknown_intents),
        }
        if include_predictions:
            out["predictions"] = [
                {"sentence": p.sentence, "slurp_intent": p.slurp_intent, "expected": p.expected,
                 "predicted": p.predicted, "confidence": p.confidence}
                for p in self.predictions
            ]
        return out


def _scores(counts: Counter[str], correct: Counter[str]) -> dict[str, IntentScore]:
    return {name: IntentScore(n=n, correct=correct[name]) for name, n in sorted(counts.items())}


def evaluate(
    examples: Iterable[SlurpExample],
    mapping: SlurpMapping,
    parse: Parser,
    *,
    include_out_of_scope: bool,
    progress: Progress | None = None,
    batch_size: int = 64,
    top_confusions: int = 10,
) -> NluReport:
    """Score `parse` on the examples the mapping gives a target to.

    Args:
        examples: SLURP examples (see `load_slurp`).
        mapping: Where each SLURP intent goes (see `load_mapping`).
        parse: Batch parser returning (intent, confidence) per text, in order.
        include_out_of_scope: Also score out-of-scope SLURP intents as ``out_of_scope``.
        progress: Called after each batch with (parsed, to parse).
        batch_size: Texts per `parse` call.
        top_confusions: How many confusion pairs to keep.

    Raises:
        ValueError: `parse` returned a different number of results than texts.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    examples = list(examples)
    scored: list[tuple[SlurpExample, str]] = []
    skipped: Counter[str] = Counter()
    unknown: set[str] = set()
    for example in examples:
        expected = mapping.target(example.intent, include_out_of_scope=include_out_of_scope)
        if expected is None:
            skipped[example.intent] += 1
            if mapping.section(example.intent) is None:
                unknown.add(example.intent)
        else:
            scored.append((example, expected))

    predictions: list[Prediction] = []
    for start in range(0, len(scored), batch_size):
        batch = scored[start:start + batch_size]
        results = parse([example.sentence for example, _ in batch])
        if len(results) != len(batch):
            raise ValueError(f"parser returned {len(results)} results for {len(batch)} texts")
        for (example, expected), (predicted, confidence) in zip(batch, results):
            predictions.append(
                Prediction(example.sentence, example.intent, expected, str(predicted), float(confidence))
            )
        if progress is not None:
            progress(len(predictions), len(scored))

    by_intent: Counter[str] = Counter()
    right_by_intent: Counter[str] = Counter()
    by_slurp: Counter[str] = Counter()
    right_by_slurp: Counter[str] = Counter()
    mistakes: Counter[tuple[str, str]] = Counter()
    for p in predictions:
        by_intent[p.expected] += 1
        by_slurp[p.slurp_intent] += 1
        if p.correct:
            right_by_intent[p.expected] += 1
            right_by_slurp[p.slurp_intent] += 1
        else:
            mistakes[(p.expected, p.predicted)] += 1
    top = sorted(mistakes.items(), key=lambda item: (-item[1], item[0]))[:top_confusions]
    return NluReport(
        include_out_of_scope=include_out_of_scope,
        n_total=len(examples),
        n_evaluated=len(predictions),
        n_correct=sum(p.correct for p in predictions),
        n_unmapped=sum(skipped.values()),
        n_fallback=sum(p.predicted == FALLBACK_INTENT for p in predictions),
        per_intent=_scores(by_intent, right_by_intent),
        per_slurp_intent=_scores(by_slurp, right_by_slurp),
        confusions=[Confusion(expected, predicted, count) for (expected, predicted), count in top],
        unmapped_by_intent=dict(sorted(skipped.items())),
        unknown_intents=tuple(sorted(unknown)),
        predictions=tuple(predictions),
    )


def render_report(report: NluReport, console: "Console") -> None:
    """Print the per-intent table, the overall figures and the top confusions."""
    from rich.table import Table

    scope = "with out_of_scope" if report.include_out_of_scope else "without out_of_scope"
    table = Table(title="SLURP intent accuracy")
    table.add_column("our intent")
    table.add_column("n", justify="right")
    table.add_column("correct", justify="right")
    table.add_column("accuracy", justify="right")
    for name, score in sorted(report.per_intent.items()):
        table.add_row(name, str(score.n), str(score.correct), f"{score.accuracy:.1%}")
    table.add_section()
    table.add_row("overall", str(report.n_evaluated), str(report.n_correct), f"{report.accuracy:.1%}",
                  style="bold")
    console.print(table)
    not_scored = "unmapped" + ("" if report.include_out_of_scope else " or out-of-scope")
    console.print(f"Scored {report.n_evaluated} of {report.n_total} examples ({scope}); "
                  f"not scored ({not_scored}): {report.n_unmapped}.")
    console.print(f"{FALLBACK_INTENT}: {report.n_fallback} ({report.fallback_rate:.1%}), counted as wrong.")
    if report.unknown_intents:
        console.print(f"[yellow]Not in the mapping (not scored): {', '.join(report.unknown_intents)}[/]")
    if report.confusions:
        confusions = Table(title="Top confusions")
        confusions.add_column("expected")
        confusions.add_column("predicted")
        confusions.add_column("count", justify="right")
        for c in report.confusions:
            confusions.add_row(c.expected, c.predicted, str(c.count))
        console.print(confusions)


# -- Rasa ----------------------------------------------------------------------------


class RasaParser:
    """A `Parser` over a loaded Rasa agent, on one private event loop. Call `close` when done."""

    def __init__(self, agent: "Agent", loop: asyncio.AbstractEventLoop) -> None:
        self.agent = agent
        self._loop = loop

    def __call__(self, texts: list[str]) -> list[tuple[str, float]]:
        return self._loop.run_until_complete(self._parse_all(texts))

    async def _parse_all(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        from assistant.context import clean_text

        results: list[tuple[str, float]] = []
        for text in texts:
            # Clean as the runtime does, so a leading "/" cannot force an intent.
            parsed = await self.agent.parse_message(clean_text(text).text)
            intent = parsed.get("intent") or {}
            results.append((str(intent.get("name") or NO_INTENT), float(intent.get("confidence") or 0.0)))
        return results

    def close(self) -> None:
        """Close the event loop (idempotent)."""
        if not self._loop.is_closed():
            self._loop.close()

    def __enter__(self) -> RasaParser:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def rasa_parser(model_path: str | Path, *, verbose: bool = False) -> RasaParser:
    """Load the Rasa model at `model_path` and return a batch parser over it.

    Raises:
        FileNotFoundError: no model file at `model_path`.
        RuntimeError: the model loaded but has no NLU to parse with.
    """
    model = Path(model_path)
    if not model.exists():
        raise FileNotFoundError(f"no trained model at {model}; run `assistant train` first")
    from assistant.runtime import quiet_logs

    quiet_logs(verbose)
    from rasa.core.agent import Agent

    loop = asyncio.new_event_loop()
    try:
        agent = Agent.load(str(model))
        if agent.processor is None:
            raise RuntimeError(f"the model at {model} did not load a processor; retrain it")
    except BaseException:
        loop.close()
        raise
    return RasaParser(agent, loop)


def main(argv: Sequence[str] | None = None) -> int:
    """Evaluate a trained model on a SLURP file, both with and without out-of-scope."""
    from rich.console import Console
    from rich.progress import Progress as RichProgress

    from assistant.paths import DEFAULT_DATA_DIR, PROJECT_ROOT, DataDir

    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--model", type=Path, default=DataDir(DEFAULT_DATA_DIR).model_file)
    args.add_argument("--slurp", type=Path,
                      default=PROJECT_ROOT.parent / "shared" / "data" / "slurp" / "devel.jsonl")
    args.add_argument("--mapping", type=Path, default=DEFAULT_MAPPING)
    args.add_argument("--no-out-of-scope", action="store_true", help="only the in-scope report")
    args.add_argument("--json", type=Path, help="write the report(s) as JSON here")
    args.add_argument("--verbose", action="store_true")
    opts = args.parse_args(argv)

    console = Console()
    try:
        examples = load_slurp(opts.slurp)
        mapping = load_mapping(opts.mapping)
        rasa = rasa_parser(opts.model, verbose=opts.verbose)
    except (SlurpFileError, MappingError, FileNotFoundError, RuntimeError) as error:
        console.print(str(error), style="red", markup=False)
        return 2
    reports: dict[str, NluReport] = {}
    with rasa:
        cache: dict[str, tuple[str, float]] = {}

        def parse(texts: list[str]) -> list[tuple[str, float]]:
            # The in-scope examples are in both passes: parse each text once.
            missing = [text for text in dict.fromkeys(texts) if text not in cache]
            if missing:
                cache.update(zip(missing, rasa(missing)))
            return [cache[text] for text in texts]

        for include in ((False,) if opts.no_out_of_scope else (False, True)):
            key = "with_out_of_scope" if include else "without_out_of_scope"
            with RichProgress(console=console, transient=True) as bar:
                task = bar.add_task(f"Parsing ({key.replace('_', ' ')})", total=None)
                reports[key] = evaluate(
                    examples, mapping, parse, include_out_of_scope=include,
                    progress=lambda done, total: bar.update(task, completed=done, total=total),
                )
            render_report(reports[key], console)
    if opts.json:
        opts.json.write_text(
            json.dumps({k: r.to_json(include_predictions=True) for k, r in reports.items()}, indent=2)
            + "\n", encoding="utf-8",
        )
        console.print(f"Wrote {opts.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
