"""Exploration on vs off on the same users and seed (issue 15), without the nightly retrain or
mining, so the difference is the questions alone; then the exploration labels the learner takes
from each log (scored against the truth here, never by the learner).

    python scripts/explore_measure.py --data-dir /tmp/explore-data --users 20 --days 3 --seed 43

The data folder needs a model (copy .data/models, .data/analytics, .data/training-vectors-*.db).
``--margin`` / ``--share`` override the policy's config.yml values for a tuning run.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from collections import Counter
from pathlib import Path
from typing import Any

KEYS = ("turns", "defect_rate", "request_defect_rate", "task_success_rate", "turns_per_goal", "give_up_rate",
        "exploration_questions", "exploration_answers", "exploration_neither", "exploration_extra_turns",
        "exploration_per_100_turns", "exploration_label_accuracy")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument("--seed", type=int, default=43)
    parser.add_argument("--margin", type=float)
    parser.add_argument("--share", type=float)
    parser.add_argument("--arms", default="off,on")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    import assistant.components.exploration_policy as policy
    import simulator.population.run as run
    from assistant.home import Home
    from assistant.learning.config import Arm
    from assistant.privacy import forget_everywhere
    from assistant.runtime import Runtime
    from simulator.population.metrics import summarize

    bounds: Counter[str] = Counter()
    torn, refusal = policy.torn, policy.refusal

    def tuned(b: Any) -> Any:
        changes = {k: v for k, v in (("margin", args.margin), ("max_share", args.share)) if v is not None}
        return dataclasses.replace(b, **changes)

    def counted(history: Any, b: Any) -> Any:
        why = refusal(history, tuned(b))
        bounds[why.value if why else "asked"] += 1
        return why

    policy.torn = lambda ranking, b: torn(ranking, tuned(b))
    policy.refusal = counted
    out: dict[str, Any] = {}
    with Runtime.start(args.data_dir, Home.default(), forget=forget_everywhere) as runtime:
        for arm in args.arms.split(","):
            flags = dataclasses.replace(Arm.SELFLEARN.flags, explore=arm == "on", nlu_learning=False)
            run.arm_flags = lambda name, flags=flags: flags
            report = run.run_population(runtime, users=args.users, days=args.days, seed=args.seed,
                                        arm="selflearn", miner=None, phrasing="real")
            figures = {k: summarize(report)[k] for k in KEYS}
            figures.update(labels(list(runtime.log.turns()), runtime.log))
            figures["torn_requests_by_bound"] = dict(bounds)
            bounds.clear()
            out[arm] = figures
            print(arm, json.dumps(figures), flush=True)
    if args.json:
        args.json.write_text(json.dumps(out, indent=2) + "\n")


def labels(records: list[Any], log: Any) -> dict[str, Any]:
    """The learner's labels from the log (rules, no label model), and the exploration ones
    against the truth (kept beside ``log``, joined on once the labels are made)."""
    from assistant.selflearn import learned
    from assistant.selflearn.candidates import LabelKind
    from assistant.selflearn.pipeline import propose, score
    from simulator import truth_store

    accepted = score(propose(records), None).labels
    records = truth_store.attach(log, records)
    explored = [lb for lb in accepted if lb.kind is LabelKind.EXPLORATION]
    truth = {r.id: (r.truth or {}).get("goal_intent") for r in records}
    merged = learned.merge([], accepted)
    return {"exploration_labels": len(explored),
            "exploration_labels_right": sum(truth.get(lb.turn_id) == lb.intent for lb in explored),
            "exploration_examples_after_guards": sum("exploration" in e.kinds for e in merged.examples),
            "labels_by_kind": {k.value: sum(lb.kind is k for lb in accepted) for k in LabelKind}}


if __name__ == "__main__":
    main()
