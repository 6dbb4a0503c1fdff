"""Train candidate pipelines on the project's own data and measure them side by side.

`assistant eval-nlu --compare config.yml configs/dense-lr.yml ... [--json OUT]`: each
config is trained (NLU only, `rasa train nlu`) into a scratch folder and measured in a
fresh process (`lab.evaluation.measure`), so load times are cold as a user sees
them. One table, one JSON.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.paths import PROJECT_ROOT
from assistant.training import rasa_env

Status = Callable[[str], None]


@dataclass
class CandidateResult:
    """One candidate's figures, or why it has none."""

    config: str
    train_seconds: float = 0.0
    figures: dict[str, Any] = field(default_factory=dict)
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"config": self.config, "train_seconds": self.train_seconds,
                "error": self.error, **self.figures}


def _tail(text: str, lines: int = 6) -> str:
    kept = [line for line in text.splitlines() if line.strip() and "WARNING: Location" not in line]
    return "\n".join(kept[-lines:])


def train_nlu(config: Path, out: Path, name: str) -> tuple[Path, float]:
    """`rasa train nlu` on the project's data with `config`; returns (model, seconds).

    Raises:
        RuntimeError: training failed (the message ends with Rasa's last lines).
    """
    cmd = [sys.executable, "-m", "rasa", "train", "nlu", "--config", str(config),
           "--domain", "domain", "--nlu", "stories", "--out", str(out), "--fixed-model-name", name]
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=PROJECT_ROOT, env=rasa_env(), capture_output=True, text=True)
    seconds = time.perf_counter() - started
    model = out / f"{name}.tar.gz"
    if proc.returncode != 0 or not model.exists():
        raise RuntimeError(f"training {config} failed:\n{_tail(proc.stdout + proc.stderr)}")
    return model, seconds


def measure_model(model: Path, slurp: Path, hwu64: Path | None, out: Path) -> dict[str, Any]:
    """Run `lab.evaluation.measure` in a fresh process and read its JSON."""
    cmd = [sys.executable, "-m", "lab.evaluation.measure", "--model", str(model),
           "--slurp", str(slurp), "--json", str(out)]
    if hwu64 is not None:
        cmd += ["--hwu64", str(hwu64)]
    proc = subprocess.run(cmd, cwd=PROJECT_ROOT, env=rasa_env(), capture_output=True, text=True)
    if proc.returncode != 0 or not out.exists():
        raise RuntimeError(f"measuring {model} failed:\n{_tail(proc.stdout + proc.stderr)}")
    return json.loads(out.read_text(encoding="utf-8"))


def compare(configs: Sequence[Path], slurp: Path, hwu64: Path | None,
            status: Status | None = None) -> list[CandidateResult]:
    """Train and measure each config in turn; a failing one is reported, not fatal."""
    results: list[CandidateResult] = []
    with tempfile.TemporaryDirectory(prefix="nlu-compare-") as scratch:
        root = Path(scratch)
        for i, config in enumerate(configs):
            result = CandidateResult(str(config))
            results.append(result)
            try:
                if status:
                    status(f"[{i + 1}/{len(configs)}] training {config}")
                model, result.train_seconds = train_nlu(config, root, f"cand{i}")
                if status:
                    status(f"[{i + 1}/{len(configs)}] measuring {config}")
                result.figures = measure_model(model, slurp, hwu64, root / f"cand{i}.json")
            except RuntimeError as error:
                result.error = str(error)
    return results


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def render(results: Sequence[CandidateResult], console: Any) -> None:
    """One table, a column per candidate; then per-type entity F1."""
    from rich.table import Table

    table = Table(title="NLU candidates (SLURP devel covered intents; HWU64 held-out tenth)")
    table.add_column("figure")
    for r in results:
        table.add_column(Path(r.config).name, justify="right")

    def row(label: str, get: Callable[[CandidateResult], str]) -> None:
        table.add_row(label, *[("failed" if r.error else get(r)) for r in results])

    row("intent accuracy", lambda r: _pct(r.figures["intents"]["accuracy"]))
    row("fallback rate", lambda r: _pct(r.figures["intents"]["fallback_rate"]))
    row("confidently wrong", lambda r: _pct(r.figures["intents"]["confidently_wrong_rate"]))
    row("HWU64 held-out tenth", lambda r: "-" if not r.figures.get("hwu64_held_out") else
        f"{_pct(r.figures['hwu64_held_out']['accuracy'])} (n={r.figures['hwu64_held_out']['n']})")
    row("  its fallback / conf. wrong", lambda r: "-" if not r.figures.get("hwu64_held_out") else
        f"{_pct(r.figures['hwu64_held_out']['fallback_rate'])} / "
        f"{_pct(r.figures['hwu64_held_out']['confidently_wrong_rate'])}")
    row("out of scope answered", lambda r: _pct(r.figures["out_of_scope"]["answered_out_of_scope"]))
    row("entity F1 (micro)", lambda r: f"{r.figures['entity_f1_micro']:.3f}")
    row("taste, SLURP", lambda r: f"{_pct(r.figures['taste_slurp']['accuracy'])} "
                                  f"(n={r.figures['taste_slurp']['n']})")
    row("taste, HWU64", lambda r: "-" if not r.figures.get("taste_hwu64") else
        f"{_pct(r.figures['taste_hwu64']['accuracy'])} (n={r.figures['taste_hwu64']['n']})")
    row("train s", lambda r: f"{r.train_seconds:.1f}")
    row("load s", lambda r: f"{r.figures['load_seconds']:.1f}")
    row("parse p50 ms", lambda r: f"{r.figures['parse_p50_ms']:.1f}")
    row("parse p95 ms", lambda r: f"{r.figures['parse_p95_ms']:.1f}")
    table.add_section()
    names = sorted({name for r in results if not r.error for name in r.figures["entities"]})
    for name in names:
        def entity_f1(r: CandidateResult, n: str = name) -> str:
            return (f"{r.figures['entities'][n]['f1']:.2f} (n={r.figures['entities'][n]['n_gold']})"
                    if n in r.figures["entities"] else "-")

        row(f"F1 {name}", entity_f1)
    console.print(table)
    for r in results:
        if r.error:
            console.print(f"[red]{r.config}:[/] {r.error}", markup=True, highlight=False)


def to_json(results: Sequence[CandidateResult]) -> dict[str, Any]:
    """The JSON `--json` writes."""
    return {"candidates": [r.to_json() for r in results]}
