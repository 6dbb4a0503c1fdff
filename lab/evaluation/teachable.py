"""How well the repeat signal tells "the same request again" from "a new request", measured
on real phrasing: pairs of SLURP requests written by different people.

Ground truth: two requests with the same SLURP intent and the same annotated entities
(type and value) are the same request in other words (a repeat); two with a different
intent, or the same intent but different entity values, are different requests. The
detector sees the texts and the gold entities (standing in for NLU's), not the intents,
so only the embedding similarity, word overlap and entity check decide. Pairs are drawn
with a seed; the same seed gives the same numbers.
"""

from __future__ import annotations

import json
import random
import re
import statistics
import time
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Sequence

from assistant.similarity import PairSimilarity
from assistant.teachable.signals import Thresholds, UserTurn, repeat_of

ANNOTATION = re.compile(r"\[(?P<type>[^:\]]+?)\s*:\s*(?P<value>[^\]]+?)\s*\]")


@dataclass(frozen=True)
class Request:
    text: str
    intent: str
    entities: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Pair:
    first: Request
    second: Request
    same: bool


@dataclass
class Report:
    pairs: int
    true_positives: int
    false_positives: int
    false_negatives: int
    true_negatives: int
    precision: float
    recall: float
    f1: float
    detect_p50_ms: float
    detect_p95_ms: float
    seed: int

    def to_json(self) -> dict:
        return asdict(self)


def load_requests(path: Path) -> list[Request]:
    """SLURP rows as requests (text, intent, gold entities)."""
    requests = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            row = json.loads(line)
            entities = tuple(sorted((m["type"].strip(), m["value"].strip().lower())
                                    for m in ANNOTATION.finditer(row.get("sentence_annotation", ""))))
            requests.append(Request(row["sentence"], row["intent"], entities))
    return requests


def make_pairs(requests: Sequence[Request], n: int, seed: int) -> list[Pair]:
    """``n`` repeats and ``n`` different requests (half of them hard: same intent, other values)."""
    rng = random.Random(seed)
    groups: dict[tuple, list[Request]] = defaultdict(list)
    by_intent: dict[str, list[Request]] = defaultdict(list)
    for r in requests:
        groups[(r.intent, r.entities)].append(r)
        by_intent[r.intent].append(r)
    repeatable = sorted((k for k, v in groups.items() if len({r.text for r in v}) > 1), key=str)
    pairs: list[Pair] = []
    while len(pairs) < n and repeatable:
        a, b = rng.sample(groups[rng.choice(repeatable)], 2)
        if a.text != b.text:
            pairs.append(Pair(a, b, True))
    intents = sorted(by_intent)
    hard = 0
    while hard < n // 2:
        members = by_intent[rng.choice(intents)]
        a, b = rng.choice(members), rng.choice(members)
        if a.entities and b.entities and a.entities != b.entities:
            pairs.append(Pair(a, b, False))
            hard += 1
    while len(pairs) < 2 * n:
        a, b = rng.choice(requests), rng.choice(requests)
        if a.intent != b.intent:
            pairs.append(Pair(a, b, False))
    return pairs


def evaluate(pairs: Sequence[Pair], similarity: PairSimilarity, thresholds: Thresholds = Thresholds(),
             seed: int = 0, progress: Callable[[int, int], None] | None = None) -> Report:
    tp = fp = fn = tn = 0
    times: list[float] = []
    for i, pair in enumerate(pairs, 1):
        first = UserTurn(pair.first.text, None, 0.0, 0.0, entities=pair.first.entities)
        second = UserTurn(pair.second.text, None, 0.0, 10.0, entities=pair.second.entities)
        start = time.perf_counter()
        found, _ = repeat_of(second, [first], similarity, thresholds)
        times.append((time.perf_counter() - start) * 1000)
        said = found is not None
        tp += said and pair.same
        fp += said and not pair.same
        fn += (not said) and pair.same
        tn += (not said) and not pair.same
        if progress:
            progress(i, len(pairs))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    times.sort()
    return Report(len(pairs), tp, fp, fn, tn, round(precision, 3), round(recall, 3), round(f1, 3),
                  round(statistics.median(times), 2), round(times[int(0.95 * (len(times) - 1))], 2), seed)

