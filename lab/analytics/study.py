"""Measurements of the failure-point model on simulator logs, judged only on seeds it was not
trained on (the figures in docs/RESULTS.md):

- ``heldout DIR...``: leave one log (one seed) out, train on the others, predict the left-out
  one; the predictions of every fold are pooled, so each class's count is the sum over logs.
- ``curve --test DIR --train DIR... --sizes N...``: accuracy against the amount of truth
  (sampled turns, seeded).
- ``judge --train DIR... --test DIR...``: fit exactly as the build of the shipped models does (`training.train_on_logs`) on
  the training logs, then each test log's figures and all of them pooled.
- ``shipped --test DIR...``: the shipped failure-point model (as it ships, never refitted) on each test log
  and on all of them pooled.
- ``simulate DIR --seed S --users N --days D [--asr-confidence independent] [--phrasing P] [--asr speech|confusions]
  [--model FILE] [--arm A]``: one population run through the real stack, exactly as the
  build plays its runs, its log kept in DIR/learning.db with the truth beside it; the Rasa
  model is used as it is (never retrained, unlike `assistant simulate` on a stale model). The
  baseline arm (default) runs without a miner; a learning arm runs as `assistant simulate
  --arm A` does, with its nightly jobs (mining, preferences, and for the arms that learn the
  NLU the retrain behind the lab's gate, on a copy of the model in DIR/models).

`python -m lab.analytics.study heldout /tmp/a /tmp/b /tmp/c [--json OUT]`
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any, Sequence

from assistant.analytics import evaluate
from assistant.analytics import failure_point as fp
from assistant.analytics.pipeline import Analysis, analyze
from lab.analytics import training


def read_log(root: Path) -> list[Any]:
    """The turns of a data folder's log that carry the simulator's truth (kept beside the log)."""
    from assistant.learning.log import InteractionLog
    from assistant.paths import DataDir
    from simulator.truth_store import attach_beside

    url = f"sqlite:///{DataDir(root).learning_db.resolve()}"
    with InteractionLog.open(url) as log:
        return [t for t in attach_beside(url, log.turns()) if t.truth]


def pooled(analyses: Sequence[Analysis]) -> dict[str, Any]:
    """Failure-point figures over several analysed logs at once."""
    merged = Analysis(goals=[], contexts=[], rows=[], points=[], method="model")
    for analysis in analyses:
        merged.contexts += analysis.contexts
        merged.points += analysis.points
    detail = evaluate.failure_points(merged)
    assert detail is not None
    return detail


def heldout(roots: Sequence[Path]) -> dict[str, Any]:
    """Leave-one-log-out figures, pooled, and each fold's own."""
    logs = {root: read_log(root) for root in roots}
    analyses, folds = [], {}
    for root in roots:
        others = [logs[r] for r in roots if r != root]
        model = training.train_on_logs(others, source="other seeds")
        analysis = analyze(logs[root], model=model)
        analyses.append(analysis)
        detail = evaluate.failure_points(analysis)
        folds[str(root)] = None if detail is None else _short(detail)
    rules = pooled([analyze(logs[r]) for r in roots])
    return {"pooled": pooled(analyses), "folds": folds, "rules_pooled": _short(rules)}


def judge(train: Sequence[Path], test: Sequence[Path]) -> dict[str, Any]:
    """The shipped models' fit on ``train``, judged on each of ``test`` and on all of them pooled."""
    return _scored(training.train_on_logs([read_log(root) for root in train], source="study judge"), test)


def shipped(test: Sequence[Path]) -> dict[str, Any]:
    """The shipped failure-point model on each of ``test`` and on all of them pooled."""
    from assistant.shipped import FAILURE_POINTS, SHIPPED_DIR

    return _scored(fp.FailurePointModel.load(SHIPPED_DIR / FAILURE_POINTS), test)


def _scored(model: fp.FailurePointModel, test: Sequence[Path]) -> dict[str, Any]:
    """``model`` on each of ``test`` and on all of them pooled (failure points and goal success)."""
    analyses = {str(root): analyze(read_log(root), model=model) for root in test}
    out: dict[str, Any] = {name: _short(pooled([a])) | {"goal_success": goal_success([a])}
                           for name, a in analyses.items()}
    detail = pooled(list(analyses.values()))
    out["pooled"] = (_short(detail) | {"goal_success": goal_success(list(analyses.values()))}
                     | {"confusion": detail["confusion"], "labels": detail["labels"]})
    return out


def goal_success(analyses: Sequence[Analysis]) -> dict[str, Any]:
    """Goal success judged from the log against the truth, over several logs at once: the
    precision, recall and F1 of "achieved" (and of "failed")."""
    truth: list[bool] = []
    predicted: list[bool] = []
    for analysis in analyses:
        truths = evaluate.goal_truth(analysis.goals)
        truth += [truths[i] for i in sorted(truths)]
        predicted += [analysis.goals[i].achieved for i in sorted(truths)]
    tp = sum(t and p for t, p in zip(truth, predicted))
    fp_ = sum(p and not t for t, p in zip(truth, predicted))
    fn = sum(t and not p for t, p in zip(truth, predicted))
    figures = evaluate.binary(truth, predicted).to_json()
    return figures | {"precision": round(tp / (tp + fp_), 4) if tp + fp_ else None,
                      "recall": round(tp / (tp + fn), 4) if tp + fn else None}


def curve(test: Path, train: Sequence[Path], sizes: Sequence[int], seed: int = 0) -> list[dict[str, Any]]:
    """Accuracy on ``test`` after training on ``n`` truth-labelled turns, for each n."""
    logs = [read_log(root) for root in train]
    target = read_log(test)
    rows, labels = training.labelled_rows(logs)
    order = list(range(len(rows)))
    random.Random(seed).shuffle(order)
    out = []
    for n in sizes:
        chosen = order[: min(n, len(order))]
        sub_rows, sub_labels = [rows[i] for i in chosen], [labels[i] for i in chosen]
        point: dict[str, Any] = {"truth_turns": len(chosen)}
        try:
            model = fp.FailurePointModel.train(sub_rows, sub_labels)
            detail = evaluate.failure_points(analyze(target, model=model))
            point["model"] = None if detail is None else _short(detail)
        except ValueError as error:
            point["model"] = str(error)
        out.append(point)
    rules = evaluate.failure_points(analyze(target))
    out.insert(0, {"truth_turns": 0, "rules": None if rules is None else _short(rules)})
    return out


def simulate(root: Path, *, seed: int, users: int, days: int, independent: bool = False,
             phrasing: str = "templates", model: Path | None = None, asr: str = "speech",
             arm: str = "baseline") -> dict[str, Any]:
    """Play one seeded run of ``arm`` into ``root`` (see the module's docstring)."""
    import time

    from assistant.paths import DataDir
    from assistant.privacy import forget_everywhere
    from assistant.runtime import Runtime
    from lab.analytics import simulated
    from simulator.population.asr import AsrConfig
    from simulator.population.channel import make_channel
    from simulator.population.run import run_population

    rates = AsrConfig(confidence_from_damage=not independent)
    channel = make_channel(asr, seed=seed, data_dir=root, rates=rates)
    model_path = Path(model) if model else DataDir(Path(".data")).model_file
    if arm != "baseline":
        model_path = simulated.own_model(root, model_path)
    started = time.perf_counter()
    with Runtime.start(root, model_path=model_path, forget=forget_everywhere) as runtime:
        report = run_population(runtime, users=users, days=days, seed=seed, arm=arm,
                                asr_config=rates, channel=channel, home_template=runtime.home.snapshot(),
                                phrasing=phrasing, **simulated.NightlyJobs(runtime).of(arm))
    from simulator.population.metrics import summarize

    summary = summarize(report)
    return {"seed": seed, "arm": arm, "users": users, "days": days, "phrasing": phrasing, "asr": asr,
            "notes": report.notes,
            "word_error_rate": summary.get("word_error_rate"),
            "asr_confidence": "recogniser" if asr == "speech" else "independent" if independent else "damage",
            "seconds": round(time.perf_counter() - started, 1),
            "turns": summary.get("turns"), "failure_points": summary.get("failure_points")}


def _short(detail: dict[str, Any]) -> dict[str, Any]:
    return {"accuracy_on_failed_turns": detail["accuracy_on_failed_turns"],
            "accuracy_all_turns": detail["accuracy_all_turns"], "n": detail["n"],
            "recall_and_count": {c: [v["recall"], v["support"]] for c, v in detail["per_class"].items()}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    h = sub.add_parser("heldout")
    h.add_argument("roots", nargs="+", type=Path)
    c = sub.add_parser("curve")
    c.add_argument("--test", type=Path, required=True)
    c.add_argument("--train", type=Path, nargs="+", required=True)
    c.add_argument("--sizes", type=int, nargs="+", default=[25, 50, 100, 200, 400, 800, 1600])
    j = sub.add_parser("judge")
    j.add_argument("--train", type=Path, nargs="+", required=True)
    j.add_argument("--test", type=Path, nargs="+", required=True)
    k = sub.add_parser("shipped")
    k.add_argument("--test", type=Path, nargs="+", required=True)
    s = sub.add_parser("simulate")
    s.add_argument("root", type=Path)
    s.add_argument("--seed", type=int, required=True)
    s.add_argument("--users", type=int, required=True)
    s.add_argument("--days", type=int, required=True)
    s.add_argument("--asr-confidence", choices=["damage", "independent"], default="damage")
    s.add_argument("--phrasing", choices=["real", "templates", "mixed"], default="templates")
    s.add_argument("--asr", choices=["speech", "confusions"], default="speech",
                   help="how the simulated users are heard (default speech)")
    s.add_argument("--model", type=Path, help="the Rasa model (default .data/models/smarthome.tar.gz)")
    s.add_argument("--arm", choices=["baseline", "teachable", "global", "personal", "selflearn", "full"],
                   default="baseline", help="the learning arm, with its nightly jobs (default baseline)")
    for p in (h, c, j, k, s):
        p.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if args.what == "simulate":
        result: Any = simulate(args.root, seed=args.seed, users=args.users, days=args.days,
                               independent=args.asr_confidence == "independent", phrasing=args.phrasing,
                               model=args.model, asr=args.asr, arm=args.arm)
    elif args.what == "shipped":
        result = shipped(args.test)
    elif args.what == "judge":
        result = judge(args.train, args.test)
    elif args.what == "heldout":
        result = heldout(args.roots)
        result["pooled"] = _short(result["pooled"]) | {"confusion": result["pooled"]["confusion"],
                                                        "labels": result["pooled"]["labels"]}
    else:
        result = curve(args.test, args.train, args.sizes)
    return emit(result, args.json)


def emit(result: dict[str, Any], path: Path | None) -> int:
    """Print the figures as JSON, and write them to ``path`` too when one is given."""
    text = json.dumps(result, indent=1)
    print(text)
    if path:
        path.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
