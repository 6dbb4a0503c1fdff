"""Hostile input through the full stack, as a benchmark (`assistant fuzz --inputs N --seed S`).

A seeded generator makes requests no one should send: lone surrogates, noncharacters,
control and format characters, right-to-left and combining marks, emoji, huge strings, Rasa's
own syntax, SQL, templates and null bytes, mixed into ordinary requests; and hostile user
and device ids. Each goes through `Runtime.handle` in a scratch copy of the data folder. An
*escape* is any exception other than the two a channel is told to expect (a bad user id, an
unknown device). Afterwards every SQLite file in the scratch folder is integrity-checked.
"""

from __future__ import annotations

import json
import random
import sqlite3
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from assistant.paths import DataDir

SLOW_SECONDS = 5.0
REQUESTS = ("turn on the lights", "set an alarm for 7 am", "play some jazz", "what's the weather",
            "close the garage door", "i love reggae", "learn my preferences", "forget everything about me",
            "when i say movie night, turn off the lights and play the hunger games", "no that's wrong",
            "what do you know about me", "start brewing", "hello", "yes", "stop")
NASTY = ("\ud800", "\udfff", "\ud83d", "\udcff", "\ufffe", "\uffff", "\ufdd0", "\x00", "\x1b[31m", "\u202e",
         "\u200b", "\u2028", "\ufeff", "\u0301\u0301\u0301", "🎵", "👨‍👩‍👧", "東京", "العربية", "\U0010fffd",
         "/greet", '/set_alarm{"time": "25:99"}', "'; DROP TABLE turns; --", "{{7*7}}", "%s%n%x",
         "${jndi:ldap://x}", "\\", '"', "\r\n", "\t", "NaN", "-1e309", "[link](javascript:x)")
HOSTILE_IDS = ("", " ", "x" * 65, "a b", "robert'); DROP TABLE", "ünï", "\ud800", "../../etc", "*", "user\x00")
DEVICES = ("kitchen_speaker", "bedroom_speaker", "living_room_tv", "office_speaker")
EXPECTED_ERRORS = ("BadUserIdError", "UnknownDeviceError")


@dataclass(frozen=True)
class FuzzInput:
    """One hostile turn."""

    text: str
    user_id: str
    device_id: str
    barge_in: bool = False


def random_text(rng: random.Random) -> str:
    """One hostile text: a mix of requests, nasty pieces and random code points."""
    shape = rng.random()
    if shape < 0.05:
        return rng.choice(REQUESTS) * rng.randint(200, 3000)             # huge
    if shape < 0.15:
        return "".join(chr(rng.randint(0, 0x10FFFF)) for _ in range(rng.randint(1, 40)))  # any code point
    if shape < 0.25:
        return "".join(chr(rng.randint(0xD800, 0xDFFF)) if rng.random() < 0.3 else chr(rng.randint(32, 0x2FFF))
                       for _ in range(rng.randint(1, 30)))
    words = rng.choice(REQUESTS).split()
    for _ in range(rng.randint(1, 4)):
        words.insert(rng.randint(0, len(words)), rng.choice(NASTY))
    glue = rng.choice((" ", "", " ", "\u00a0"))
    return glue.join(words)


def generate(count: int, seed: int, *, hostile_ids: float = 0.05, users: int = 5) -> Iterator[FuzzInput]:
    """``count`` seeded inputs (the same seed gives the same inputs)."""
    rng = random.Random(f"fuzz:{seed}")
    for _ in range(count):
        user = rng.choice(HOSTILE_IDS) if rng.random() < hostile_ids else f"fuzz{rng.randrange(users)}"
        device = rng.choice(HOSTILE_IDS + DEVICES) if rng.random() < hostile_ids else rng.choice(DEVICES)
        yield FuzzInput(random_text(rng), user, device, rng.random() < 0.1)


@dataclass
class FuzzReport:
    """What the run found."""

    inputs: int = 0
    replies: int = 0
    refused: Counter[str] = field(default_factory=Counter)   # expected errors, by type
    escapes: list[dict[str, Any]] = field(default_factory=list)
    slow_turns: int = 0
    max_seconds: float = 0.0
    seconds: float = 0.0
    databases: dict[str, str] = field(default_factory=dict)   # file -> "ok" or the problem
    seed: int = 0

    @property
    def intact(self) -> bool:
        return all(v == "ok" for v in self.databases.values())

    def to_json(self) -> dict[str, Any]:
        kinds = Counter(e["error"] for e in self.escapes)
        return {"inputs": self.inputs, "seed": self.seed, "replies": self.replies,
                "refused": dict(self.refused), "escapes": len(self.escapes),
                "escape_kinds": dict(kinds), "escape_examples": self.escapes[:10],
                "turns_over_5s": self.slow_turns, "max_turn_seconds": round(self.max_seconds, 3),
                "seconds": round(self.seconds, 1), "databases": dict(self.databases),
                "databases_intact": self.intact}


def play(handle: Callable[..., Any], inputs: Iterator[FuzzInput], report: FuzzReport,
         progress: Callable[[int], None] | None = None) -> FuzzReport:
    """Play the inputs through ``handle`` (a Runtime's), counting replies, refusals, escapes."""
    started = time.perf_counter()
    for item in inputs:
        report.inputs += 1
        began = time.perf_counter()
        try:
            result = handle(item.text, user_id=item.user_id, device_id=item.device_id, barge_in=item.barge_in)
        except Exception as error:  # noqa: BLE001 - what we measure: every escape is counted
            name = type(error).__name__
            if name in EXPECTED_ERRORS:
                report.refused[name] += 1
            else:
                report.escapes.append({"input": ascii(item.text[:200]), "user": ascii(item.user_id),
                                       "device": ascii(item.device_id), "error": name,
                                       "message": str(error)[:300],
                                       "where": traceback.format_exc(limit=3).splitlines()[-3:]})
        else:
            if getattr(result, "replies", None):
                report.replies += 1
        spent = time.perf_counter() - began
        report.max_seconds = max(report.max_seconds, spent)
        report.slow_turns += spent > SLOW_SECONDS
        if progress is not None:
            progress(report.inputs)
    report.seconds = time.perf_counter() - started
    return report


def check_databases(root: Path) -> dict[str, str]:
    """``PRAGMA integrity_check`` of every SQLite file under ``root``: file -> "ok" or the problem."""
    found: dict[str, str] = {}
    for path in sorted(root.rglob("*.db")):
        try:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check").fetchall()]
            finally:
                conn.close()
            found[path.name] = "ok" if rows == ["ok"] else "; ".join(rows[:3])
        except sqlite3.Error as error:
            found[path.name] = f"unreadable: {error}"
    return found


def run(data: DataDir, *, inputs: int, seed: int, console: Any = None, verbose: bool = False) -> FuzzReport:
    """The benchmark, in a scratch copy of the data folder (only the model is copied)."""
    import shutil
    import tempfile

    from assistant.privacy import forget_everywhere
    from assistant.runtime import Runtime

    report = FuzzReport(seed=seed)
    with tempfile.TemporaryDirectory(prefix="assistant-fuzz-") as scratch:
        fuzz_data = DataDir(Path(scratch)).ensure()
        shutil.copy(data.model_file, fuzz_data.model_file)
        with Runtime.start(fuzz_data.root, verbose=verbose, forget=forget_everywhere) as runtime:
            progress = _progress_bar(console, inputs)
            with progress or _Null():
                task = progress.add_task("fuzzing", total=inputs) if progress else None
                play(runtime.handle, generate(inputs, seed), report,
                     (lambda done: progress.update(task, completed=done)) if progress else None)
        report.databases = check_databases(fuzz_data.root)
    return report


def _progress_bar(console: Any, total: int) -> Any:
    if console is None:
        return None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console, transient=True)


class _Null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc_info: object) -> None:
        return None


def print_report(report: FuzzReport, console: Any) -> None:
    figures = report.to_json()
    console.print(f"{figures['inputs']} hostile inputs (seed {figures['seed']}) in {figures['seconds']} s: "
                  f"{figures['replies']} replies, {sum(report.refused.values())} refused as expected "
                  f"({', '.join(f'{k} {v}' for k, v in report.refused.items()) or 'none'}), "
                  f"[bold]{figures['escapes']} escapes[/]"
                  + (f" ({', '.join(f'{k} {v}' for k, v in figures['escape_kinds'].items())})" if report.escapes else ""))
    console.print(f"turns over {SLOW_SECONDS:.0f} s: {report.slow_turns} (slowest {figures['max_turn_seconds']} s)")
    for name, state in report.databases.items():
        console.print(f"  {name}: {state}")
    for example in report.escapes[:3]:
        console.print(f"  escape {example['error']}: {example['input'][:80]} -> {example['message'][:120]}")


def main(argv: list[str] | None = None) -> int:
    """``python -m lab.evaluation.fuzz --inputs N --seed S [--data-dir D] [--json OUT]``."""
    import argparse

    from assistant.paths import DEFAULT_DATA_DIR
    from assistant.runtime import quiet_logs

    parser = argparse.ArgumentParser(description="hostile input through the full stack")
    parser.add_argument("--inputs", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--json")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    quiet_logs(args.verbose)
    return command(args)


def command(args: Any) -> int:
    """The `assistant fuzz` command: exit 1 when anything escaped or a database is damaged."""
    from rich.console import Console

    console = Console(highlight=False)
    report = run(DataDir(Path(args.data_dir)), inputs=int(args.inputs), seed=int(args.seed), console=console,
                 verbose=bool(getattr(args, "verbose", False)))
    print_report(report, console)
    if getattr(args, "json", None):
        Path(args.json).write_text(json.dumps(report.to_json(), indent=2, ensure_ascii=True) + "\n")
    return 0 if not report.escapes and report.intact else 1


if __name__ == "__main__":
    raise SystemExit(main())
