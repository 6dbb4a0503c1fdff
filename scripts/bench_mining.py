"""Mining time and peak memory on a synthetic log (default: 1,000,000 turns from 10,000 users).

The generator is seeded: households say requests from a fixed set; some requests have a
recurring ASR confusion ("play maj and dragons") that fails, after which the user repeats or
rephrases it (or gives up); other mishearings are one-off word slips. Every turn carries the
simulator-style truth (`rephrase_of`), so rephrase detection is scored too.

    .venv/bin/python scripts/bench_mining.py                      # 1M turns via SQLite
    .venv/bin/python scripts/bench_mining.py --source memory      # mine from an in-memory iterator
    .venv/bin/python scripts/bench_mining.py --turns 20000 --json out.json

SQLite: the turns are written with sqlite3 `executemany` in batches of 50,000 into the
interaction log's own table (created by `InteractionLog.open`), then mined through
`InteractionLog.turns()` exactly as `assistant mine` does.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.learning.log import InteractionLog, TurnRecord  # noqa: E402
from simulator.truth_store import TruthStore  # noqa: E402

_VERBS = {
    "play_music": ["play {x}", "put on {x}", "play some {x}", "i want to hear {x}"],
    "turn_on": ["turn on the {x}", "switch on the {x}", "{x} on please"],
    "turn_off": ["turn off the {x}", "switch off the {x}", "{x} off please"],
    "ask_weather": ["what's the weather in {x}", "weather in {x}", "is it raining in {x}"],
    "set_timer": ["set a timer for {x}", "start a {x} timer", "timer for {x}"],
}
_SLOTS = {
    "play_music": ["imagine dragons", "the beatles", "miles davis", "jazz", "taylor swift", "daft punk",
                   "coldplay", "nirvana", "radiohead", "adele", "queen", "abba", "metallica", "bach",
                   "mozart", "beyonce", "drake", "eminem", "madonna", "u2"],
    "turn_on": ["kitchen light", "living room lamp", "tv", "coffee maker", "bedroom light", "oven",
                "hall light", "porch light"],
    "turn_off": ["kitchen light", "living room lamp", "tv", "coffee maker", "bedroom light", "oven",
                 "hall light", "porch light"],
    "ask_weather": ["london", "paris", "berlin", "madrid", "rome", "tokyo", "new york", "sydney", "oslo",
                    "lisbon"],
    "set_timer": ["five minutes", "ten minutes", "twenty minutes", "an hour", "half an hour"],
}
# Recurring mishearings of a slot value: the same error from many users.
_CONFUSIONS = {
    "imagine dragons": "maj and dragons", "the beatles": "the beetles", "miles davis": "miles davies",
    "taylor swift": "tailor swift", "daft punk": "deaf punk", "coldplay": "cold play", "queen": "quinn",
    "beyonce": "be on say", "kitchen light": "kitchen lied", "porch light": "torch light",
    "coffee maker": "toffee maker", "paris": "parents", "oslo": "o slow", "lisbon": "lisp on",
    "ten minutes": "tin minutes", "half an hour": "have an hour", "u2": "you too", "adele": "a dell",
}
_SLIPS = ["uh", "the", "a", "um", "please", "now", "and", "so", "like", "oh"]


@dataclass(frozen=True)
class Synthetic:
    turns: int = 1_000_000
    users: int = 10_000
    seed: int = 11
    confusion_rate: float = 0.6     # a request with a known confusion is misheard this often
    slip_rate: float = 0.05         # any request gets a one-off word slip this often
    give_up_rate: float = 0.1


def _requests() -> list[tuple[str, str, str]]:
    """(intent, slot, template) for every request the households can make."""
    return [(intent, slot, template) for intent, templates in _VERBS.items()
            for template in templates for slot in _SLOTS[intent]]


def generate(spec: Synthetic) -> Iterator[TurnRecord]:
    """Turns in log order (sessions of different users interleave), with ids and truth."""
    rng = random.Random(spec.seed)
    requests = _requests()
    weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(requests))]
    order = list(range(len(requests)))
    start = dt.datetime(2026, 1, 1, 7, 0)
    clocks = [start + dt.timedelta(seconds=rng.randrange(86_400)) for _ in range(spec.users)]
    habits = [rng.sample(order, 40) for _ in range(spec.users)]   # each home's usual requests
    made = 0
    sessions = 0
    turn_id = 0
    while made < spec.turns:
        # A batch of concurrent sessions from random users, interleaved turn by turn.
        active = []
        for user in rng.sample(range(spec.users), 50):
            sessions += 1
            active.append(_session(rng, spec, user, sessions, clocks, habits[user], requests, weights))
        while active and made < spec.turns:
            for stream in list(active):
                record = next(stream, None)
                if record is None:
                    active.remove(stream)
                    continue
                turn_id += 1
                made += 1
                record.id = turn_id
                yield record
                if made >= spec.turns:
                    return


def _session(rng: random.Random, spec: Synthetic, user: int, number: int, clocks: list[dt.datetime],
             habits: list[int], requests: list[tuple[str, str, str]],
             weights: list[float]) -> Iterator[TurnRecord]:
    """One session: a few goals, each possibly misheard and rephrased."""
    user_id, session_id = f"u{user:05d}", f"u{user:05d}-s{number}"
    clocks[user] += dt.timedelta(hours=rng.uniform(2, 20))
    for _ in range(rng.randint(1, 4)):
        index = rng.choice(habits) if rng.random() < 0.7 else rng.choices(range(len(requests)), weights)[0]
        intent, slot, template = requests[index]
        said = template.format(x=slot)
        for attempt in range(4):
            heard, misheard = said, False
            if slot in _CONFUSIONS and rng.random() < (spec.confusion_rate if attempt == 0 else 0.3):
                heard, misheard = template.format(x=_CONFUSIONS[slot]), True
            elif rng.random() < spec.slip_rate:
                words = heard.split()
                words.insert(rng.randrange(len(words) + 1), rng.choice(_SLIPS))
                heard = " ".join(words)
            gives_up = misheard and (attempt == 3 or rng.random() < spec.give_up_rate)
            feedback = {}
            if misheard:
                feedback = {"give_up": True} if gives_up else {"rephrase": True}
            truth = {"said": said, "heard": heard, "success": not misheard,
                     "rephrase_of": None if attempt == 0 else -1}   # -1: the previous turn (set below)
            yield TurnRecord(
                user_id=user_id, device_id="kitchen_speaker", session_id=session_id,
                timestamp=clocks[user], text=heard, intent="nlu_fallback" if misheard else intent,
                confidence=rng.uniform(0.2, 0.45) if misheard else rng.uniform(0.7, 0.99),
                feedback=feedback, truth=truth,
                directives=[] if misheard else [f"{intent} {slot}"])
            clocks[user] += dt.timedelta(seconds=rng.uniform(4, 15))
            if not misheard or gives_up:
                break
            # the next attempt: the same words again, or another phrasing of the request
            if rng.random() < 0.5:
                template = rng.choice(_VERBS[intent])
                said = template.format(x=slot)
        clocks[user] += dt.timedelta(seconds=rng.uniform(20, 90))


def _with_true_gaps(turns: Iterator[TurnRecord]) -> Iterator[TurnRecord]:
    """Point each rephrase's truth at the id of the user's previous turn in its session."""
    last: dict[str, int] = {}
    for turn in turns:
        truth = turn.truth or {}
        if truth.get("rephrase_of") is not None:
            truth["rephrase_of"] = last[turn.session_id]
        last[turn.session_id] = int(turn.id or 0)
        yield turn


def synthetic_turns(spec: Synthetic) -> Iterator[TurnRecord]:
    return _with_true_gaps(generate(spec))


def write_sqlite(path: Path, turns: Iterator[TurnRecord], batch: int = 50_000) -> int:
    """Write turns into the log's table with executemany, and their truth into the simulator's
    store beside it (the log has no truth column); returns how many."""
    with InteractionLog.open(path) as log:
        row_of = log._row  # noqa: SLF001 - the log's own serialization keeps columns in step
        truths = TruthStore.beside(log.url)
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    written, rows, sql, truth_rows = 0, [], None, []
    for turn in turns:
        if turn.truth:
            truth_rows.append((turn.id, turn.user_id, turn.truth))
        row = row_of(turn)
        row["timestamp"] = row["timestamp"].isoformat(sep=" ")
        row["id"] = turn.id
        if sql is None:
            names = list(row)
            sql = f"INSERT INTO turns ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
        rows.append(tuple(row[name] for name in names))
        if len(rows) >= batch:
            connection.executemany(sql, rows)
            connection.commit()
            written += len(rows)
            rows.clear()
            truths.put_many(truth_rows)
            truth_rows.clear()
    if rows:
        connection.executemany(sql, rows)
        connection.commit()
        written += len(rows)
    truths.put_many(truth_rows)
    truths.close()
    connection.close()
    return written


class _Memory:
    def __init__(self, spec: Synthetic) -> None:
        self.spec = spec

    def turns(self) -> Iterator[TurnRecord]:
        return synthetic_turns(self.spec)


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--source", choices=["sqlite", "memory"], default="sqlite")
    parser.add_argument("--db", type=Path, help="SQLite file (default: a temporary one)")
    parser.add_argument("--similarity", choices=["minilm", "jaccard"], default="minilm")
    parser.add_argument("--with-index", action="store_true", help="also rebuild the retrieval index")
    parser.add_argument("--again", action="store_true",
                        help="mine a second time (the vector cache warm), as periodic mining does")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="mine a second time under tracemalloc for the Python heap's peak (slow)")
    parser.add_argument("--score-turns", type=int, default=50_000,
                        help="score rephrase detection against the truth on this many first turns")
    parser.add_argument("--no-phrases", action="store_true", help="mine without phrase rules (what they add)")
    parser.add_argument("--json", help="write the figures as JSON here")
    args = parser.parse_args(argv)

    from assistant.learning.mining import MineConfig, mine
    from assistant.learning.rewrites import RewriteStore
    from assistant.similarity import minilm_similarity, token_similarity

    spec = Synthetic(turns=args.turns, users=args.users, seed=args.seed)
    config = MineConfig(phrases=None) if args.no_phrases else MineConfig()
    # None: MiniLM with the vector cache beside the rewrite table, as `assistant mine` runs
    similarity = None if args.similarity == "minilm" else token_similarity
    if args.similarity == "minilm":
        minilm_similarity([("warm", "up")])   # model load time is not mining time
    folder = tempfile.TemporaryDirectory(prefix="bench-mining-")
    db = args.db or Path(folder.name) / "learning.db"
    figures: dict[str, object] = {"turns": args.turns, "users": args.users, "seed": args.seed,
                                  "source": args.source, "similarity": args.similarity}
    rss_before = _peak_mib()
    if args.source == "sqlite":
        started = time.perf_counter()
        figures["written"] = write_sqlite(db, synthetic_turns(spec))
        figures["write_seconds"] = round(time.perf_counter() - started, 2)
        source = InteractionLog.open(db)
    else:
        source = _Memory(spec)
    rss_mine_start = _peak_mib()
    with RewriteStore.open(Path(folder.name) / "rewrites.db" if args.source == "memory" else db) as store:
        started, cpu = time.perf_counter(), _cpu_seconds()
        report = mine(source, store, config, similarity=similarity, rebuild_index=args.with_index)
        figures["mine_seconds"] = round(time.perf_counter() - started, 2)
        figures["mine_cpu_seconds"] = round(_cpu_seconds() - cpu, 2)   # all threads (MiniLM uses 2)
        if args.again:
            cpu = _cpu_seconds()
            again = mine(source, store, config, similarity=similarity, rebuild_index=args.with_index)
            figures["mine_again_cpu_seconds"] = round(_cpu_seconds() - cpu, 2)
            figures["mine_again_seconds"] = round(again.seconds, 2)
            figures["again_stage_seconds"] = {k: round(v, 2) for k, v in again.stage_seconds.items()}
    figures["peak_rss_mib_before_mining"] = round(rss_mine_start, 1)
    figures["peak_rss_mib"] = round(_peak_mib(), 1)
    figures["rss_mib_at_start"] = round(rss_before, 1)
    figures.update({k: v for k, v in report.to_json().items() if not isinstance(v, list)})
    figures["added"] = len(report.added)
    if args.tracemalloc:
        import tracemalloc

        with RewriteStore.open(Path(folder.name) / "traced.db") as traced:
            tracemalloc.start()
            mine(source, traced, config, similarity=similarity or minilm_similarity,
                 rebuild_index=False)
            figures["tracemalloc_peak_mib"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
            tracemalloc.stop()
    figures["examples"] = [f"{r.source} -> {r.target} ({r.support} users, p={r.probability:.2f})"
                           for r in report.added if r.is_global][:8]
    figures["phrase_rules"] = [f"{r.source} -> {r.target} ({r.support} users, p={r.probability:.2f})"
                               for r in report.phrase_added][:8]
    if args.score_turns:
        from itertools import islice

        from assistant.learning.rephrase import RephraseThresholds, measure

        sample = list(islice(synthetic_turns(spec), args.score_turns))
        started = time.perf_counter()
        quality = measure(sample, RephraseThresholds(), similarity or minilm_similarity)
        figures["detection"] = {**quality.to_json(), "turns": len(sample),
                                "seconds": round(time.perf_counter() - started, 2)}
    print(json.dumps(figures, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")
    if hasattr(source, "close"):
        source.close()
    folder.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
