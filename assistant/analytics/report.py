"""The morning report: goal success, defect rate by failure point, the top failing
utterances, and what to do about them (rewrites for ASR and entity-resolution failures,
NLU training examples for NLU failures). With ground truth attached to the records (the
simulator's, kept beside the log), the agreement figures and the single-signal baseline beside them."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from assistant.analytics import evaluate as ev
from assistant.analytics.pipeline import Analysis
from assistant.outcomes import FAILURE_POINTS, FailurePoint

TOP = 5
REWRITE_POINTS = (FailurePoint.ASR, FailurePoint.ENTITY_RESOLUTION)


def build(analysis: Analysis, *, source: str = "", top: int = TOP) -> dict[str, Any]:
    """The report as JSON-safe data (the `analyze --json` file)."""
    wakes = analysis.false_wake_goals()
    goals = [g for i, g in enumerate(analysis.goals) if i not in wakes]
    n_turns = analysis.turns
    achieved = sum(1 for g in goals if g.achieved)
    baseline = sum(1 for g in goals if g.baseline_achieved)
    by_point: Counter[str] = Counter(str(p) for p in analysis.points if p != FailurePoint.CORRECT)
    report: dict[str, Any] = {
        "source": source,
        "turns": n_turns,
        "sessions": len({(g.goal.user_id, g.goal.session_id) for g in analysis.goals}),
        "users": len({g.goal.user_id for g in analysis.goals}),
        "goals": len(goals),
        "false_wakes": len(wakes),
        "goal_success_rate": _rate(achieved, len(goals)),
        "baseline_goal_success_rate": _rate(baseline, len(goals)),
        "defect_rate": _rate(sum(by_point.values()), n_turns),
        "defect_rate_by_failure_point": {p: _rate(by_point.get(p, 0), n_turns)
                                         for p in FAILURE_POINTS if p != FailurePoint.CORRECT},
        "defects_by_failure_point": {p: by_point.get(p, 0) for p in FAILURE_POINTS if p != FailurePoint.CORRECT},
        "failure_point_method": analysis.method,
        "failure_point_note": analysis.note,
        "failure_point_model": analysis.model_info,
        "top_failing": _top_failing(analysis, top),
        "rewrite_candidates": _rewrite_candidates(analysis, top * 4),
        "nlu_candidates": _nlu_candidates(analysis, top * 4),
        "seconds": {k: round(v, 3) for k, v in analysis.seconds.items()},
        "answers_to_assistant": sum(1 for g in analysis.goals for t in g.goal.turns if g.goal.is_answer(t)),
        "goals_without_request": sum(1 for g in goals if _opens_with_answer(g.goal)),
        "defects_on_learned_turns": _learned_defects(analysis),
    }
    report.update(_truth_figures(analysis))
    return report


def _opens_with_answer(goal: Any) -> bool:
    """A goal whose only turns answer something (yes, no, thanks, "neither", a question's
    answer) with no request before them in the log: a log cut mid-conversation, or one user's
    answers alone."""
    from assistant.analytics import turns as tk

    return all((t.intent or "") in tk.ANSWERS or tk.explore_choice(t) in tk.EXPLORE_NOT_CHOSEN
               for t in goal.turns)


def _learned_defects(analysis: Analysis) -> dict[str, int]:
    """Defective turns that the learning changed (a rewrite or phrase rule, an entity repair),
    by failure point: a learned change that made a turn fail is named at the stage that read
    it (NLU for a rewrite's words, entity resolution for a repaired value)."""
    counts: Counter[str] = Counter()
    for ctx, point in zip(analysis.contexts, analysis.points):
        turn = ctx.turn
        evidence = turn.evidence if isinstance(getattr(turn, "evidence", None), dict) else {}
        if point != FailurePoint.CORRECT and (turn.text_rewritten or (evidence or {}).get("repaired")):
            counts[str(point)] += 1
    return dict(sorted(counts.items()))


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _top_failing(analysis: Analysis, top: int) -> dict[str, list[dict[str, Any]]]:
    counts: dict[str, Counter[tuple[str, str]]] = {p: Counter() for p in FAILURE_POINTS if p != FailurePoint.CORRECT}
    for ctx, point in zip(analysis.contexts, analysis.points):
        if point != FailurePoint.CORRECT and point in counts:
            counts[point][((ctx.turn.text or "").strip(), ctx.turn.intent or "none")] += 1
    return {point: [{"text": text, "intent": intent, "count": n} for (text, intent), n in c.most_common(top)]
            for point, c in counts.items() if c}


def _resolution(ctx) -> Any:
    """The goal's later request that worked (what the user meant, in words NLU understood)."""
    goal = ctx.goal
    if not goal.achieved:
        return None
    last = goal.goal.last_request
    return None if last is ctx.turn or goal.goal.is_answer(last) else last


def _rewrite_candidates(analysis: Analysis, limit: int) -> list[dict[str, Any]]:
    pairs: Counter[tuple[str, str, str]] = Counter()
    for ctx, point in zip(analysis.contexts, analysis.points):
        if point in REWRITE_POINTS:
            fixed = _resolution(ctx)
            if fixed is not None and (fixed.text or "") != (ctx.turn.text or ""):
                pairs[(ctx.turn.text or "", fixed.text or "", point)] += 1
    return [{"source": s, "target": t, "failure_point": p, "count": n}
            for (s, t, p), n in pairs.most_common(limit)]


def _nlu_candidates(analysis: Analysis, limit: int) -> list[dict[str, Any]]:
    examples: Counter[tuple[str, str, str]] = Counter()
    for ctx, point in zip(analysis.contexts, analysis.points):
        if point != FailurePoint.NLU:
            continue
        fixed = _resolution(ctx)
        suspected = fixed.intent if fixed is not None else None
        examples[(ctx.turn.text or "", ctx.turn.intent or "none", suspected or "?")] += 1
    return [{"text": text, "predicted_intent": got, "suspected_intent": meant, "count": n}
            for (text, got, meant), n in examples.most_common(limit)]


def _truth_figures(analysis: Analysis) -> dict[str, Any]:
    out: dict[str, Any] = {}
    goals = ev.goal_success(analysis)
    if goals is not None:
        out["goal_success_accuracy"] = goals["ours"]["accuracy"]
        out["goal_success_f1"] = goals["ours"]["f1"]
        out["goal_defect_f1"] = goals["ours"]["defect_f1"]
        out["goal_success_detail"] = goals
        out["baseline"] = {"goal_success_accuracy": goals["baseline"]["accuracy"],
                           "goal_success_f1": goals["baseline"]["f1"],
                           "goal_defect_f1": goals["baseline"]["defect_f1"]}
        out["true_goal_success_rate"] = goals["true_success_rate"]
    segments = ev.segmentation(analysis)
    if segments is not None:
        out["segmentation"] = segments
    points = ev.failure_points(analysis)
    if points is not None:
        out["failure_point_accuracy"] = points["accuracy_on_failed_turns"]
        out["failure_point_f1"] = {c: v["f1"] for c, v in points["per_class"].items()}
        out["failure_point_detail"] = points
    return out


def _print_table(console: Any, title: str, columns: tuple[str, ...], rows: list[tuple[str, ...]],
                 *, when_empty: bool = False) -> None:
    """A titled table of rows; nothing when there are none, unless ``when_empty``."""
    from rich.table import Table

    if not rows and not when_empty:
        return
    table = Table(title=title)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*row)
    console.print(table)


def render(report: dict[str, Any], console: Any) -> None:
    """Print the report with rich."""
    if not report.get("turns"):
        console.print("The interaction log is empty: nothing to analyse.")
        return
    console.print(f"[bold]Defect analytics[/] {report.get('source', '')}: {report['turns']} turns, "
                  f"{report['goals']} goals (and {report.get('false_wakes', 0)} false wakes), {report['sessions']} sessions, {report['users']} users")
    console.print(f"Goal success rate: [bold]{_pct(report['goal_success_rate'])}[/] "
                  f"(single-signal baseline says {_pct(report['baseline_goal_success_rate'])}); "
                  f"defective turns: {_pct(report['defect_rate'])}")
    answers = report.get("answers_to_assistant") or 0
    if answers:
        console.print(f"{answers} turns answered the assistant's own questions (offers to learn, \"Did I answer "
                      "your question?\", exploration questions): each is counted in the goal it answers.",
                      soft_wrap=True)
    if report.get("goals_without_request"):
        console.print(f"[yellow]note:[/] {report['goals_without_request']} goals hold only answers, with no request "
                      "before them in this log (a log cut mid-conversation?): judged as they are.", soft_wrap=True)
    learned = report.get("defects_on_learned_turns") or {}
    if learned:
        console.print("Defects on turns the learning changed (a rewrite, phrase rule or entity repair): "
                      + ", ".join(f"{point} {count}" for point, count in learned.items()), soft_wrap=True)
    if report.get("failure_point_method") == "rules":
        console.print(f"[yellow]warning: failure points from rules, not a trained model:[/] "
                      f"{report.get('failure_point_note') or 'no model given'}", soft_wrap=True)
    elif report.get("failure_point_model"):
        console.print(f"Failure points from the model {_describe(report['failure_point_model'])}", soft_wrap=True)
        if report.get("failure_point_note"):
            console.print(f"[yellow]warning:[/] {report['failure_point_note']}", soft_wrap=True)
    rows: list[tuple[str, ...]] = []
    for point, rate in report["defect_rate_by_failure_point"].items():
        top = "; ".join(f"{u['text']!r} ({u['intent']}) x{u['count']}"
                        for u in report["top_failing"].get(point, [])[:3])
        rows.append((point, str(report["defects_by_failure_point"][point]), _pct(rate), top))
    _print_table(console, f"Defects by failure point ({report['failure_point_method']})",
                 ("failure point", "turns", "rate", "top failing utterances"), rows, when_empty=True)
    _print_table(console, "For the rewriter (ASR and entity-resolution failures the user then fixed)",
                 ("heard", "then said", "failure point", "times"),
                 [(c["source"], c["target"], c["failure_point"], str(c["count"]))
                  for c in report["rewrite_candidates"][:10]])
    _print_table(console, "Candidate NLU training examples (NLU failures)",
                 ("text", "NLU said", "suspected intent", "times"),
                 [(c["text"], c["predicted_intent"], c["suspected_intent"], str(c["count"]))
                  for c in report["nlu_candidates"][:10]])
    _render_truth(report, console)
    seconds = report.get("seconds", {})
    if seconds:
        console.print("Time: " + ", ".join(f"{k} {v:.2f} s" for k, v in seconds.items()))


def _render_truth(report: dict[str, Any], console: Any) -> None:
    from rich.table import Table

    if "goal_success_accuracy" in report:
        base = report["baseline"]
        console.print(f"Against the simulator's truth: goal success accuracy "
                      f"[bold]{report['goal_success_accuracy']:.3f}[/], F1 {report['goal_success_f1']:.3f}, "
                      f"defect F1 {report['goal_defect_f1']:.3f} (baseline: accuracy "
                      f"{base['goal_success_accuracy']:.3f}, F1 {base['goal_success_f1']:.3f}, "
                      f"defect F1 {base['goal_defect_f1']:.3f})")
    if "segmentation" in report:
        s = report["segmentation"]
        console.print(f"Goal boundaries: precision {s['boundary_precision']:.3f}, recall "
                      f"{s['boundary_recall']:.3f}, F1 {s['boundary_f1']:.3f} over {s['pairs']} turn pairs")
    detail = report.get("failure_point_detail")
    if not detail:
        return
    console.print(f"Failure point accuracy on failed turns [bold]{detail['accuracy_on_failed_turns']}[/], "
                  f"on flagged turns {detail['accuracy_on_flagged_turns']}, on all turns "
                  f"{detail['accuracy_all_turns']}; macro F1 over failure classes {detail['macro_f1_failures']}")
    table = Table(title="Failure points against truth (rows: truth, columns: predicted)")
    table.add_column("truth")
    for column in ("P", "R", "F1", "n", *(_SHORT.get(c, c) for c in detail["labels"])):
        table.add_column(column, justify="right")
    for label, row in zip(detail["labels"], detail["confusion"]):
        c = detail["per_class"][label]
        table.add_row(label, f"{c['precision']:.3f}", f"{c['recall']:.3f}", f"{c['f1']:.3f}",
                      str(c["support"]), *(str(v) for v in row))
    console.print(table)


_SHORT = {FailurePoint.FALSE_WAKE: "wake", FailurePoint.ENTITY_RESOLUTION: "entity", FailurePoint.CORRECT: "ok"}


def _describe(info: dict[str, Any]) -> str:
    from assistant.analytics.failure_point import ModelInfo

    try:
        return ModelInfo.from_json(info).describe()
    except (TypeError, ValueError):
        return "(undescribed)"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def plot(report: dict[str, Any], path: Path) -> Path:
    """A PNG: defects by failure point, and the confusion matrix when truth is known."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    detail = report.get("failure_point_detail")
    fig, axes = plt.subplots(1, 2 if detail else 1, figsize=(12 if detail else 6, 4.5))
    axes = list(axes) if detail else [axes]
    points = list(report.get("defects_by_failure_point", {}))
    axes[0].bar(points, [report["defects_by_failure_point"][p] for p in points], color="#c0504d")
    axes[0].set_title(f"Defective turns by failure point ({report.get('turns', 0)} turns)")
    plt.setp(axes[0].get_xticklabels(), rotation=35, ha="right")
    if detail:
        labels = detail["labels"]
        matrix = detail["confusion"]
        ax = axes[1]
        import numpy as np

        ax.imshow(np.log1p(np.asarray(matrix, dtype=float)), cmap="Blues")   # log: "correct" dwarfs the rest
        ax.set_xticks(range(len(labels)), labels, rotation=35, ha="right")
        ax.set_yticks(range(len(labels)), labels)
        ax.set_xlabel("predicted")
        ax.set_ylabel("truth")
        ax.set_title(f"Failure points, accuracy on failed turns {detail['accuracy_on_failed_turns']}")
        for i, row in enumerate(matrix):
            for j, value in enumerate(row):
                ax.text(j, i, str(value), ha="center", va="center", fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
