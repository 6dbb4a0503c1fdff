"""Fitting the label model on simulator logs and measuring it on logs it was not fitted on.

    python -m lab.selflearn.study fit --data DATA RUN_DIR...      # fit, save in DATA/selflearn
    python -m lab.selflearn.study evaluate --data DATA RUN_DIR... [--json OUT]

A fit is cached by fingerprint (this package's and the analytics' code, scikit-learn's version,
the training logs: path, turns, last id): the same inputs reuse the saved model. The truth is
the target of the fit only; `evaluate` judges the contextual model and the baseline against it
and counts the adversaries' accepted labels that disagree with it (the run's JSON names them).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from assistant.paths import PROJECT_ROOT, DataDir

INPUTS = ("assistant/selflearn", "assistant/analytics")


@dataclass
class RunLog:
    """One simulator run's log."""

    root: Path
    records: list[Any]
    adversaries: frozenset[str]

    @property
    def name(self) -> str:
        return self.root.name


def read_run(root: Path) -> RunLog:
    """The log of a run's data folder, and its adversaries (from ``ROOT.json`` or ``ROOT/sim.json``)."""
    from assistant.learning.log import InteractionLog
    from simulator.truth_store import attach_beside

    with InteractionLog.open(DataDir(root).learning_db) as log:
        records = attach_beside(log.url, log.turns())   # the truth: the fit's target only
    adversaries: set[str] = set()
    for candidate in (root.with_suffix(".json"), root / "sim.json"):
        if candidate.exists():
            try:
                report = json.loads(candidate.read_text())
            except ValueError:
                continue
            for run in report.get("runs", [report]) if isinstance(report, dict) else []:
                adversaries |= set((run.get("adversaries") or {}).get("adversaries") or [])
    return RunLog(root, records, frozenset(adversaries))


def fingerprint(runs: Sequence[RunLog], extra: str = "", root: Path = PROJECT_ROOT) -> str:
    import sklearn

    from assistant.selflearn.features import FEATURE_VERSION

    digest = hashlib.sha256(f"sklearn={sklearn.__version__};features={FEATURE_VERSION};{extra}".encode())
    for run in runs:
        last = max((r.id or 0 for r in run.records), default=0)
        digest.update(f"{run.root.resolve()}:{len(run.records)}:{last}".encode())
    for name in INPUTS:
        for file in sorted(p for p in (root / name).rglob("*.py") if "__pycache__" not in p.parts):
            digest.update(str(file.relative_to(root)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def _similarity(name: str) -> Any:
    if name == "tokens":
        return None
    from assistant.similarity import segment_similarity

    return segment_similarity


def _fp_model(folder: Path | None) -> Any:
    if folder is None:
        return None
    from assistant.analytics import failure_point as fp

    try:
        return fp.FailurePointModel.load(folder)
    except fp.ModelUnavailable as error:
        print(f"failure points by rules: {error}", file=sys.stderr)
        return None


def training_rows(proposals: Sequence[Any]) -> tuple[list[dict[str, Any]], list[bool], list[str]]:
    """Feature rows, whether each candidate's label is right (truth: the target only), users."""
    from assistant.selflearn.truth import correct

    rows, right, groups = [], [], []
    for proposal in proposals:
        for candidate, row in zip(proposal.candidates, proposal.rows):
            if candidate.kind.value == "exploration":
                continue   # never scored by the label model (the user's answer is the label)
            ok = correct(candidate.turn, candidate.intent)
            if ok is None:
                continue
            rows.append(row)
            right.append(ok)
            groups.append(candidate.user_id)
    return rows, right, groups


def ensure_model(data: DataDir, runs: Sequence[RunLog], *, similarity: str = "minilm",
                 failure_points: Path | None = None, target_precision: dict[str, float] | None = None,
                 force: bool = False) -> tuple[Any, bool, float]:
    """The label model fitted on ``runs`` (reused when its fingerprint matches); whether it
    was fitted now, and the seconds it took."""
    from assistant.selflearn.model import (
        MODEL_FOLDER,
        LabelModel,
        LabelModelUnavailable,
    )
    from assistant.selflearn.pipeline import propose

    folder = data.root / MODEL_FOLDER
    key = fingerprint(runs, f"sim={similarity};fp={failure_points};target={sorted((target_precision or {}).items())}")
    if not force:
        try:
            model = LabelModel.load(folder)
            if model.info.fingerprint == key:
                return model, False, 0.0
        except LabelModelUnavailable:
            pass
    started = time.perf_counter()
    fp_model = _fp_model(failure_points)
    proposals = [propose(run.records, similarity=_similarity(similarity), failure_points=fp_model) for run in runs]
    rows, right, groups = training_rows(proposals)
    model = LabelModel.fit(rows, right, groups, target_precision=target_precision,
                           source=", ".join(run.name for run in runs), fingerprint=key)
    seconds = time.perf_counter() - started
    model.info.seconds = round(seconds, 2)
    model.save(folder)
    return model, True, seconds


def evaluate(run: RunLog, model: Any, *, similarity: str = "minilm",
             failure_points: Path | None = None) -> dict[str, Any]:
    """Contextual model and baseline on one run: precision, recall, yield; adversaries' wrong labels."""
    from assistant.selflearn import baseline
    from assistant.selflearn.candidates import days
    from assistant.selflearn.evaluate import poisoned
    from assistant.selflearn.evaluate import score as judge
    from assistant.selflearn.pipeline import propose, score

    started = time.perf_counter()
    proposal = propose(run.records, similarity=_similarity(similarity), failure_points=_fp_model(failure_points))
    contextual = score(proposal, model)
    seconds = time.perf_counter() - started
    plain = baseline.labels(run.records)
    n_days = days(run.records)
    out = {"run": run.name, "turns": len(run.records), "days": n_days, "candidates": len(proposal.candidates),
           "label_seconds": round(seconds, 2), "method": contextual.method,
           "contextual": judge(contextual.labels, run.records, n_days),
           "baseline": judge(plain, run.records, n_days)}
    if run.adversaries:
        out["poisoning"] = {"contextual": poisoned(contextual.labels, run.records, run.adversaries),
                            "baseline": poisoned(plain, run.records, run.adversaries)}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lab.selflearn.study", description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=["fit", "evaluate"])
    parser.add_argument("runs", nargs="+", type=Path, help="simulator data folders")
    parser.add_argument("--data", type=Path, required=True, help="the data folder the label model lives in")
    parser.add_argument("--similarity", choices=["minilm", "tokens"], default="minilm")
    parser.add_argument("--failure-points", type=Path, help="a failure-point model folder (default: rules)")
    parser.add_argument("--target-precision", type=float, default=0.97, help="for corrections")
    parser.add_argument("--self-target-precision", type=float, default=0.99, help="for self-labels")
    parser.add_argument("--force", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    from assistant.runtime import quiet_logs

    quiet_logs(False)
    runs = [read_run(root) for root in args.runs]
    data = DataDir(args.data)
    if args.action == "fit":
        model, fitted, seconds = ensure_model(data, runs, similarity=args.similarity,
                                              failure_points=args.failure_points,
                                              target_precision={"correction": args.target_precision,
                                                                "self": args.self_target_precision}, force=args.force)
        report: Any = {"fitted": fitted, "seconds": round(seconds, 2), **model.info.to_json()}
    else:
        from assistant.selflearn.model import MODEL_FOLDER, LabelModel

        model = LabelModel.load(data.root / MODEL_FOLDER)
        report = {"model": model.info.to_json(),
                  "runs": [evaluate(run, model, similarity=args.similarity, failure_points=args.failure_points)
                           for run in runs]}
    text = json.dumps(report, indent=2, default=str)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
