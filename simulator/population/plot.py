"""A PNG of the defect rate per simulated day, one line per arm, and beside it the held-out
NLU accuracy per day when the run measured it (arms that learn the NLU)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def plot_defects(figures: list[dict[str, Any]], out: Path) -> Path:
    """Draw ``defect_rate_by_day`` of each arm's figures into ``out`` (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with_nlu = any(run.get("nlu_accuracy_by_day") for run in figures)
    if with_nlu:
        fig, (ax, nlu_ax) = plt.subplots(1, 2, figsize=(12, 4.2), dpi=120)
    else:
        fig, ax = plt.subplots(figsize=(7, 4.2), dpi=120)
    # Arms can coincide (same users, same noise): distinct dashes and markers keep each visible.
    styles = (("-", "o"), ("--", "s"), (":", "^"), ("-.", "D"), ((0, (5, 1)), "v"))
    for number, run in enumerate(figures):
        rates = [r if r is not None else float("nan") for r in run["defect_rate_by_day"]]
        days = list(range(1, len(rates) + 1))
        line, marker = styles[number % len(styles)]
        ax.plot(days, rates, linestyle=line, marker=marker, markersize=5, linewidth=1.6,
                label=f"{run['arm']} ({run['defect_rate']:.3f})")
    first = figures[0]
    ax.set_title(f"Defect rate per day: {first['users']} users, seed {first['seed']}")
    ax.set_xlabel("simulated day")
    ax.set_ylabel("defective turns / turns")
    ax.set_xticks(list(range(1, first["days"] + 1)))
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(title="arm (overall)")
    if with_nlu:
        for number, run in enumerate(figures):
            accuracy = [a if a is not None else float("nan") for a in (run.get("nlu_accuracy_by_day") or [])]
            line, marker = styles[number % len(styles)]
            nlu_ax.plot(list(range(1, len(accuracy) + 1)), accuracy, linestyle=line, marker=marker,
                        markersize=5, linewidth=1.6, label=run["arm"])
        nlu_ax.set_title("NLU intent accuracy on held-out HWU64 rows")
        nlu_ax.set_xlabel("simulated day (model serving that day)")
        nlu_ax.set_ylabel("accuracy")
        nlu_ax.set_xticks(list(range(1, first["days"] + 1)))
        nlu_ax.grid(alpha=0.3)
        nlu_ax.legend(title="arm")
    fig.tight_layout()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out)
    plt.close(fig)
    return out
