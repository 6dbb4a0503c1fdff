"""The numbers that say whether learning works, from a population run's traces.

Keys follow DESIGN.md's `simulate` contract; extra keys add detail. A rate with nothing to
count (no offers, no preference turns) is None (JSON null), never a made-up 0.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from assistant.outcomes import FailurePoint
from simulator.population.goals import GoalKind
from simulator.population.run import RunReport
from simulator.population.session import TurnTrace
from simulator.population.truth import TurnKind

CONTRACT_KEYS = ("arm", "users", "days", "seed", "turns", "task_success_rate", "defect_rate",
                 "defect_rate_by_day", "turns_per_goal", "rewrite_wins", "rewrite_losses",
                 "teachable_precision", "teachable_recall", "preference_capture_accuracy",
                 "give_up_rate", "turns_per_second")


def _rate(numerator: int, denominator: int, digits: int = 4) -> float | None:
    return None if denominator == 0 else round(numerator / denominator, digits)


def teachable_scores(turns_by_user_day: dict[tuple[str, int], list[TurnTrace]]) -> tuple[int, int, int]:
    """(offers, offers after a defect, turns after a defect): a moment is an offer to learn;
    it is right when the user's previous turn was a defect."""
    offers = hits = positives = 0
    for turns in turns_by_user_day.values():
        for previous, turn in zip(turns, turns[1:]):
            defect = not previous.success
            positives += defect
            offers += turn.offered
            hits += turn.offered and defect
        if turns and turns[0].offered:
            offers += 1
    return offers, hits, positives


def summarize(report: RunReport) -> dict[str, Any]:
    """The run's figures: the contract keys first, then detail."""
    turns = [t for _, goal in report.goals for t in goal.turns]
    goals = [goal for _, goal in report.goals]
    by_day: dict[int, list[TurnTrace]] = defaultdict(list)
    by_user_day: dict[tuple[str, int], list[TurnTrace]] = defaultdict(list)
    for turn in turns:
        by_day[turn.day].append(turn)
        by_user_day[(turn.user_id, turn.day)].append(turn)
    defects = sum(not t.success for t in turns)
    rewritten = [t for t in turns if t.rewrite_source]
    offers, hits, positives = teachable_scores(by_user_day)
    prefs = [t.preference_correct for t in turns if t.preference_correct is not None]
    requests = [t for t in turns if t.kind is TurnKind.REQUEST]
    figures: dict[str, Any] = {
        "arm": report.arm,
        "users": report.users,
        "days": report.days,
        "seed": report.seed,
        "turns": len(turns),
        "task_success_rate": _rate(sum(g.achieved for g in goals), len(goals)),
        "defect_rate": _rate(defects, len(turns)),
        "defect_rate_by_day": [_rate(sum(not t.success for t in by_day[d]), len(by_day[d]))
                               for d in range(report.days)],
        "turns_per_goal": _rate(len(turns), len(goals), 3),
        "rewrite_wins": sum(t.success for t in rewritten),
        "rewrite_losses": sum(not t.success for t in rewritten),
        "teachable_precision": _rate(hits, offers),
        "teachable_recall": _rate(hits, positives),
        "preference_capture_accuracy": _rate(sum(prefs), len(prefs)),
        "give_up_rate": _rate(sum(g.gave_up for g in goals), len(goals)),
        "turns_per_second": None if report.seconds <= 0 else round(len(turns) / report.seconds, 2),
    }
    sources = Counter(t.rewrite_source for t in rewritten if t.rewrite_source)
    figures.update(moment_figures(report))
    figures.update(phrasing_figures(report))
    figures.update(hearing_figures(report, turns))
    figures.update(exploration_figures(turns))
    figures.update(self_learning_figures(report))
    figures.update({
        "goals": len(goals),
        "goals_achieved": sum(g.achieved for g in goals),
        "request_defect_rate": _rate(sum(not t.success for t in requests), len(requests)),
        "failure_points": dict(sorted(Counter(t.failure_point for t in turns if t.failure_point).items())),
        "rewrites_by_source": {source: {"wins": sum(t.success for t in rewritten if t.rewrite_source == source),
                                        "losses": sum(not t.success for t in rewritten if t.rewrite_source == source)}
                               for source in sorted(sources)},
        "repairs_by_scope": {scope: {"wins": sum(t.success for t in turns if scope in t.repairs),
                                     "losses": sum(not t.success for t in turns if scope in t.repairs)}
                             for scope in sorted({s for t in turns for s in t.repairs})},
        "teaching_offers": offers,
        "rewrite_table": report.rewrite_table,
        "success_by_goal_kind": _by_kind(report),
        "seconds": round(report.seconds, 2),
        "notes": list(report.notes),
        "layers_off": list(getattr(report, "layers_off", [])),
    })
    return figures


def moment_figures(report: RunReport) -> dict[str, Any]:
    """Offers to learn against the moments where teaching would have helped (the truth's, see
    `simulator.population.teachable`): precision per offer, recall per moment (one offer is
    enough), and offers per user per day; beside the all-defects ``teachable_*`` figures."""
    from simulator.population.teachable import moment_scores

    scores = moment_scores(goal for _, goal in report.goals)
    strict = moment_scores((goal for _, goal in report.goals), strict=True)
    user_days = report.users * report.days
    return {
        "teachable_moment_precision": scores.precision,
        "teachable_moment_recall": scores.recall,
        # the measure before stop 41: the user's successful repeat that closed a moment no moment turn
        "teachable_moment_precision_strict": strict.precision,
        "teachable_moment_recall_strict": strict.recall,
        "teachable_moments": scores.moments,
        "offers_to_learn": scores.offers,
        "offers_per_user_day": _rate(scores.offers, user_days, 3),
        "result_failures": sum(t.failure_point == FailurePoint.RESULT.value
                               for _, goal in report.goals for t in goal.turns),
    }


def hearing_figures(report: RunReport, turns: list[TurnTrace]) -> dict[str, Any]:
    """Which channel users were heard through, and its word errors over every turn a user
    spoke (false wakes aside): per device, per user decile, and by the kind of word hit."""
    from simulator.speech.wer import speech_figures

    spoken = [(t.user_id, t.device_id, t.said, t.heard) for t in turns if t.kind is not TurnKind.FALSE_WAKE]
    errors = speech_figures(spoken)
    return {"asr": report.asr, "word_error_rate": errors.pop("word_error_rate"), "word_errors": errors}


def self_learning_figures(report: RunReport) -> dict[str, Any]:
    """NLU accuracy on the held-out HWU64 rows per day, and the learned labels against the truth
    (None where the arm learned nothing of the NLU)."""
    labels = report.label_figures or {}
    return {
        "nlu_accuracy_by_day": list(report.nlu_accuracy_by_day) or None,
        "label_precision": labels.get("precision"),
        "label_recall": labels.get("recall"),
        "labels_per_day": labels.get("per_day"),
        "learned_examples": report.learned_examples,
        "nights": list(report.nights),
    }


def exploration_figures(turns: list[TurnTrace]) -> dict[str, Any]:
    """What asking "Should I A, or B?" cost and gave: questions, answers that chose a reading,
    "neither"s, the extra turns (each answer is a turn the user would not otherwise have
    spoken), questions per 100 turns, and how often the chosen reading was the goal's (the
    truth: scored here only, never by the learner)."""
    from assistant.exploration import NEITHER

    questions = [t for t in turns if t.explore_asked]
    answers = [t for t in turns if t.explore_choice is not None]
    chosen = [t for t in answers if t.explore_right is not None]
    return {
        "exploration_questions": len(questions),
        "exploration_answers": len(chosen),
        "exploration_neither": sum(t.explore_choice == NEITHER for t in answers),
        "exploration_extra_turns": len(answers),
        "exploration_per_100_turns": _rate(100 * len(questions), len(turns), 2),
        "exploration_label_accuracy": _rate(sum(bool(t.explore_right) for t in chosen), len(chosen)),
    }


def phrasing_figures(report: RunReport) -> dict[str, Any]:
    """What users said and how real phrasing went: the share of goals opened with a real
    sentence, defective turns whose failure point is NLU, out-of-scope goals refused cleanly,
    and success on the goals the home can do (so that refusing everything can't look good)."""
    goals = [goal for _, goal in report.goals]
    outside = [g for g in goals if g.kind is GoalKind.OUT_OF_SCOPE]
    inside = [g for g in goals if g.kind is not GoalKind.OUT_OF_SCOPE]
    defective = [t for g in goals for t in g.turns if not t.success]
    return {
        "phrasing": report.phrasing,
        "real_phrasing_share": _rate(sum(g.first_real for g in goals), len(goals)),
        "nlu_failure_share": _rate(sum(t.failure_point == FailurePoint.NLU.value for t in defective),
                                   len(defective)),
        "out_of_scope_goals": len(outside),
        "out_of_scope_handled": _rate(sum(g.achieved for g in outside), len(outside)),
        "in_scope_success": _rate(sum(g.achieved for g in inside), len(inside)),
    }


def _by_kind(report: RunReport) -> dict[str, float | None]:
    totals: Counter[str] = Counter()
    achieved: Counter[str] = Counter()
    for _, goal in report.goals:
        totals[goal.kind.value] += 1
        achieved[goal.kind.value] += goal.achieved
    return {kind: _rate(achieved[kind], totals[kind], 3) for kind in sorted(totals)}


def reduction(baseline: dict[str, Any], other: dict[str, Any]) -> float | None:
    """Relative drop in defect rate of ``other`` against ``baseline`` (0.13 = 13% fewer)."""
    base, rate = baseline.get("defect_rate"), other.get("defect_rate")
    if not base or rate is None:
        return None
    return round((base - rate) / base, 4)


# The learning layers whose applications are counted, and where a summary keeps each one's record.
LAYERS = (("utterance rewrites", "rewrites_by_source", ("precomputed", "global", "personal")),
          ("phrase rules", "rewrites_by_source", ("phrase",)),
          ("personal phrase rules", "rewrites_by_source", ("personal_phrase",)),
          ("global repair", "repairs_by_scope", ("global",)),
          ("personal repair", "repairs_by_scope", ("personal",)))


def layer_records(figures: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """(wins, losses) of each learning layer's applications in a summary, judged by the truth
    (a turn it touched that succeeded is a win)."""
    records: dict[str, tuple[int, int]] = {}
    for layer, key, names in LAYERS:
        counts = figures.get(key) or {}
        records[layer] = (sum(int(counts.get(n, {}).get("wins", 0)) for n in names),
                          sum(int(counts.get(n, {}).get("losses", 0)) for n in names))
    return records
