"""The ceiling of self-learning NLU on one simulated run: its traffic, labelled from the truth.

A measurement, never training data to commit: it reads the simulator's truth (kept beside the
log by `simulator.truth_store`, joined on the turn id), which no learner may read. It writes a Rasa NLU file of the run's request turns (the words the
assistant heard) with each goal's true intent, to train beside ``stories/`` as a data folder's
``learned/nlu.yml`` and score on SLURP devel (docs/RESULTS.md, "What perfect labels of the same
traffic would give")::

    python scripts/oracle_labels.py DATA/learning.db OUT/learned/nlu.yml all|failed
"""

from __future__ import annotations

import argparse
import collections
import sqlite3
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from simulator.truth_store import TruthStore  # noqa: E402


def oracle(log: Path, which: str) -> dict[str, list[str]]:
    """Texts by true intent: every request turn (``all``) or the failed ones (``failed``); a
    text heard for several intents goes to the one it was meant most often."""
    store = TruthStore.beside(f"sqlite:///{log.resolve()}", create=False)
    if store is None:
        return {}
    with store:
        truths = store.truths()
    db = sqlite3.connect(log)
    try:
        rows = db.execute("select id, user_id, text from turns").fetchall()
    finally:
        db.close()
    votes: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for turn_id, user_id, text in rows:
        owner, truth = truths.get(turn_id, (None, None))
        if truth is None or (owner is not None and owner != user_id):
            continue
        if truth.get("turn_kind") != "request" or not truth.get("goal_intent") or not text.strip():
            continue
        if which == "failed" and truth.get("success"):
            continue
        votes[text.strip()][truth["goal_intent"]] += 1
    by_intent: dict[str, list[str]] = collections.defaultdict(list)
    for text, counts in votes.items():
        by_intent[counts.most_common(1)[0][0]].append(text)
    return {intent: sorted(texts) for intent, texts in sorted(by_intent.items())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("which", choices=["all", "failed"])
    args = parser.parse_args()
    labels = oracle(args.log, args.which)
    doc = {"version": "3.1", "nlu": [{"intent": i, "examples": [{"text": t} for t in texts]}
                                     for i, texts in labels.items()]}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    print(args.which, sum(map(len, labels.values())), "examples", {i: len(t) for i, t in labels.items()})


if __name__ == "__main__":
    main()
