"""Turn latency: the full stack (context, runtime, directives) beside the bare Rasa model.

Both run in one process on the same model and action server, turn by turn interleaved,
so machine noise hits both alike; the ratio is the figure to compare across machines.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from assistant.paths import DataDir

TURNS: tuple[tuple[str, str], ...] = (
    ("turn on the lights", "kitchen_speaker"),
    ("what is the temperature", "kitchen_speaker"),
    ("play the hunger games", "living_room_tv"),
    ("play the hunger games", "kitchen_speaker"),
    ("start brewing", "kitchen_speaker"),
    ("is the garage door open", "kitchen_speaker"),
    ("set the thermostat to 22 degrees", "bedroom_speaker"),
    ("what's the weather in seattle", "office_speaker"),
    ("set an alarm for 7 am", "bedroom_speaker"),
    ("turn off the lights", "bedroom_speaker"),
    ("hello", "kitchen_speaker"),
    ("book me a flight to paris", "kitchen_speaker"),
)


def percentile(values: list[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..100)."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    pos = (len(ordered) - 1) * q / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


# Turns that exercise each path of the rewriter: a mined pair, retrieval on a misheard
# request, and ordinary requests it must leave alone (checked and skipped).
REWRITER_TURNS: tuple[tuple[str, float | None], ...] = (
    ("play maj and dragons", 0.6),
    ("play imagin dragons", 0.6),
    ("what is the temper chair", 0.6),
    ("turn on the kitchen light", 0.95),
    ("what's the weather in seattle", None),
    ("set an alarm for 7 am", 0.9),
    ("could you put on some maj and dragons please", 0.9),   # a phrase rule inside a sentence
)
# Values heard where an intent expects one, as the actions hand them to repair (with the kinds
# they try): misheard names it repairs, and words it must leave alone.
REPAIR_SPANS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("jaz", ("genre", "artist", "title")),
    ("mile stavis", ("genre", "artist", "title")),
    ("worriers", ("team",)),
    ("thermal stat", ("device",)),
    ("kit chin", ("room",)),
    ("seat all", ("city",)),
    ("something relaxing", ("genre", "artist", "title")),
)


def _summary(values: list[float]) -> dict[str, float]:
    return {"p50": round(percentile(values, 50), 3), "p95": round(percentile(values, 95), 3),
            "mean": round(statistics.fmean(values), 3)}


def run(data: DataDir, *, repeats: int = 3, console: Any = None, verbose: bool = False,
        startup: bool = True, reference: bool = True, train: bool = False,
        conversation_turns: int = 120) -> dict[str, Any]:
    """Play the turns `repeats` times through each path and return the figures. Runs in a
    scratch copy of the data folder, so the benchmark never touches real logs or rewrites.

    Args:
        startup: also time a fresh process from start to its first answered turn.
        reference: also play a minimal `rasa init` bot's turns, interleaved (trained once,
            kept in the data folder under bench/rasa-init).
        train: also time `rasa train` from scratch and after adding 200 examples.
        conversation_turns: also play one conversation this long and compare its last
            turns with its first (0: skip).
    """
    import shutil
    import tempfile
    from pathlib import Path

    from rich.progress import Progress

    from assistant.privacy import forget_everywhere
    from assistant.runtime import Runtime
    from lab.evaluation import startup as timing

    init_model = None
    if reference:
        if console is not None:
            console.print("Reference bot: `rasa init` (trained once, then kept)...")
        init_model = timing.init_bot(data.root / "bench" / "rasa-init")
    with tempfile.TemporaryDirectory(prefix="assistant-bench-") as scratch:
        bench_data = DataDir(Path(scratch)).ensure()
        shutil.copy(data.model_file, bench_data.model_file)
        with Runtime.start(bench_data.root, verbose=verbose, forget=forget_everywhere) as runtime, \
                Progress(console=console, transient=True) as progress:
            init_agent = None
            if init_model is not None:
                from rasa.core.agent import Agent

                init_agent = Agent.load(str(init_model))
            result = _turn_latency(runtime, repeats, progress, init_agent)
            if conversation_turns:
                result.update(_conversation_growth(runtime, conversation_turns, progress))
            result.update(_rewriter_latency(runtime, repeats * 5, progress))
    if startup:
        first = timing.first_turn(data.model_file)
        result.update({"first_turn_seconds": first["first_turn_seconds"],
                       "load_seconds": round(first["imports"] + first["start"], 2),
                       "first_turn_phases": first})
    if train:
        result.update(timing.train_seconds())
    if console is not None:
        _print(result, console)
    return result


def _turn_latency(runtime: Any, repeats: int, progress: Any, init_agent: Any = None) -> dict[str, Any]:
    """The full stack (context, runtime, directives, log) beside the agent alone, and beside
    a minimal `rasa init` bot when one is given."""
    from lab.evaluation.phases import PhaseTimer
    from lab.evaluation.startup import INIT_BOT_TURNS

    agent = runtime.agent
    assert agent is not None
    phases = PhaseTimer().install(agents=(agent,))
    full: list[float] = []
    bare: list[float] = []
    init: list[float] = []
    # Warm up every path (first calls load lazily-built graph parts).
    runtime.handle("hello", user_id="bench_warmup", device_id="kitchen_speaker")
    runtime._run(agent.handle_text("hello", sender_id="bench_warmup_bare"))
    if init_agent is not None:
        runtime._run(init_agent.handle_text("hello", sender_id="bench_warmup_init"))
    task = progress.add_task("Turn latency", total=repeats * len(TURNS))
    for rep in range(repeats):
        for i, (text, device) in enumerate(TURNS):
            start = time.perf_counter()
            with phases.recording():
                runtime.handle(text, user_id=f"bench_full_{rep}", device_id=device)
            full.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            runtime._run(agent.handle_text(text, sender_id=f"bench_bare_{rep}"))
            bare.append((time.perf_counter() - start) * 1000)
            if init_agent is not None:
                start = time.perf_counter()
                runtime._run(init_agent.handle_text(INIT_BOT_TURNS[i % len(INIT_BOT_TURNS)],
                                                    sender_id=f"bench_init_{rep}"))
                init.append((time.perf_counter() - start) * 1000)
            progress.advance(task)
    phases.uninstall()
    f, b = _summary(full), _summary(bare)
    result: dict[str, Any] = {
        "turns": len(full),
        "full_p50_ms": round(f["p50"], 2), "full_p95_ms": round(f["p95"], 2),
        "bare_p50_ms": round(b["p50"], 2), "bare_p95_ms": round(b["p95"], 2),
        "full_mean_ms": round(f["mean"], 2), "bare_mean_ms": round(b["mean"], 2),
        "phases": phases.summary(),
    }
    result["p50_ratio"] = round(result["full_p50_ms"] / result["bare_p50_ms"], 3)
    result["p95_ratio"] = round(result["full_p95_ms"] / result["bare_p95_ms"], 3)
    if init:
        r = _summary(init)
        result.update({"init_p50_ms": round(r["p50"], 2), "init_p95_ms": round(r["p95"], 2),
                       "init_p50_ratio": round(f["p50"] / r["p50"], 3),
                       "init_p95_ratio": round(f["p95"] / r["p95"], 3)})
    return result


def _conversation_growth(runtime: Any, turns: int, progress: Any) -> dict[str, Any]:
    """One conversation of ``turns`` turns cycling through TURNS: the cost of its last cycle of
    turns beside a fresh conversation's first cycle (the same texts), played in turns (a fresh
    turn, then a late one) so that both meet the same load on a shared machine."""
    from lab.evaluation.phases import PhaseTimer

    task = progress.add_task("Long conversation", total=turns + len(TURNS))
    cycle = len(TURNS)
    turns = max(turns, cycle)
    for i in range(turns - cycle):
        text, device = TURNS[i % cycle]
        runtime.handle(text, user_id="bench_long", device_id=device)
        progress.advance(task)
    phases = PhaseTimer().install(agents=(runtime.agent,))
    first: list[float] = []
    last: list[float] = []
    try:
        for i in range(cycle):
            for user, index, times in (("bench_fresh", i, first), ("bench_long", turns - cycle + i, last)):
                text, device = TURNS[index % cycle]
                start = time.perf_counter()
                with phases.recording():
                    runtime.handle(text, user_id=user, device_id=device)
                times.append((time.perf_counter() - start) * 1000)
                progress.advance(task)
    finally:
        phases.uninstall()
    return {"conversation_turns": turns,
            "conversation_phases_first": phases.summary(0, None, 2),
            "conversation_phases_last": phases.summary(1, None, 2),
            "conversation_first_ms": round(first[0], 2), "conversation_last_ms": round(last[-1], 2),
            "conversation_first_cycle_mean_ms": round(statistics.fmean(first), 2),
            "conversation_last_cycle_mean_ms": round(statistics.fmean(last), 2),
            "conversation_growth_ratio": round(statistics.fmean(last) / statistics.fmean(first), 3)}


def _populate(runtime: Any, utterances: int = 2000, pairs: int = 1000, phrases: int = 200) -> None:
    """A learnt state of realistic size: an index of utterances that worked for many users,
    a table of mined pairs, and global and personal phrase rules (written straight into the stores)."""
    import datetime as dt

    from assistant.learning import index
    from assistant.learning.log import TurnRecord
    from assistant.learning.rewrites import MinedPair, Origin

    start = dt.datetime(2026, 1, 5, 8, 0)
    texts = ["play imagine dragons", "what is the temperature", "turn on the kitchen light"]
    texts += [f"play station number {i} on the radio" for i in range(utterances - len(texts))]
    turns = [TurnRecord(user_id=f"u{u}", device_id="kitchen_speaker", session_id=f"u{u}",
                        timestamp=start, text=text, intent="play_media", confidence=0.99)
             for text in texts for u in range(3)]
    runtime.log.record_many(turns)
    index.rebuild(runtime.log, runtime.rewrites)
    mined = [MinedPair("play maj and dragons", "play imagine dragons", 3, 0.9)]
    mined += [MinedPair(f"play station numbr {i}", f"play station number {i} on the radio", 3, 0.9)
              for i in range(pairs - 1)]
    runtime.rewrites.apply_mined(mined)
    rules = [MinedPair("maj and", "imagine", 3, 0.9)]
    rules += [MinedPair(f"statoin {i}", f"station {i}", 3, 0.9) for i in range(phrases - 1)]
    rules += [MinedPair(f"numbr {i}", f"number {i}", 2, 0.9, user_id=f"rw_full_{i % 3}") for i in range(phrases)]
    runtime.rewrites.apply_mined(rules, origin=Origin.PHRASE)


def _rewriter_latency(runtime: Any, repeats: int, progress: Any) -> dict[str, Any]:
    """Turns with the rewriter on (every layer) beside the same turns with it off, interleaved,
    plus the rewriter's own decision time and entity repair's (both in the same run)."""
    from assistant.components.query_rewriter import QueryRewriter
    from assistant.learning import online
    from assistant.learning.config import Arm
    from assistant.repair.apply import attempt_any
    from assistant.repair.outcome import Kind

    _populate(runtime)
    config = QueryRewriter(QueryRewriter.get_default_config())._config
    on: list[float] = []
    off: list[float] = []
    decide: list[float] = []
    rewritten = 0
    for arm in (Arm.FULL, Arm.BASELINE):   # warm both (the index is embedded once)
        runtime.learning = arm.flags
        runtime.handle("play maj and dragons", user_id=f"warm_{arm.value}", device_id="kitchen_speaker")
    task = progress.add_task("Rewriter latency", total=repeats * len(REWRITER_TURNS))
    for rep in range(repeats):
        for text, asr in REWRITER_TURNS:
            for arm, times in ((Arm.FULL, on), (Arm.BASELINE, off)):
                runtime.learning = arm.flags
                start = time.perf_counter()
                result = runtime.handle(text, user_id=f"rw_{arm.value}_{rep}", device_id="kitchen_speaker",
                                        asr_confidence=asr)
                times.append((time.perf_counter() - start) * 1000)
                rewritten += int(arm is Arm.FULL and result.rewrite is not None)
            metadata = {"user_id": f"rw_full_{rep}", "asr_confidence": asr,
                        "learning": {**Arm.FULL.flags.to_metadata(), "store": runtime.data.learning_url}}
            start = time.perf_counter()
            online.rewrite(text, metadata, config)
            decide.append((time.perf_counter() - start) * 1000)
            progress.advance(task)
    repair: list[float] = []
    repaired = 0
    speaker = runtime.home.devices.get("kitchen_speaker")
    room = speaker.room if speaker is not None else None
    for rep in range(repeats):
        for span, kinds in REPAIR_SPANS:
            metadata = {"user_id": f"rw_full_{rep}",
                        "learning": {**Arm.FULL.flags.to_metadata(), "store": runtime.data.learning_url}}
            start = time.perf_counter()
            found = attempt_any([span], [Kind(k) for k in kinds], metadata=metadata, user_id=f"rw_full_{rep}",
                                home=runtime.home, room=room)
            repair.append((time.perf_counter() - start) * 1000)
            repaired += int(found is not None)
    runtime.learning = Arm.FULL.flags
    with_rw, without, own, fix = _summary(on), _summary(off), _summary(decide), _summary(repair)
    return {
        "rewriter_turns": len(on),
        "rewriter_rewritten": rewritten,
        "rewriter_on_p50_ms": with_rw["p50"], "rewriter_on_p95_ms": with_rw["p95"],
        "rewriter_off_p50_ms": without["p50"], "rewriter_off_p95_ms": without["p95"],
        "rewriter_added_p50_ms": round(with_rw["p50"] - without["p50"], 3),
        "rewriter_added_p95_ms": round(with_rw["p95"] - without["p95"], 3),
        "rewriter_p95_ratio": round(with_rw["p95"] / without["p95"], 3),
        "rewrite_decision_p50_ms": own["p50"], "rewrite_decision_p95_ms": own["p95"],
        "repair_decisions": len(repair), "repair_repaired": repaired,
        "repair_decision_p50_ms": fix["p50"], "repair_decision_p95_ms": fix["p95"],
        # A turn pays the rewriter's decision, and repair's where a value did not resolve.
        "rewrite_and_repair_p95_ms": round(own["p95"] + fix["p95"], 3),
    }


def _print(result: dict[str, Any], console: Any) -> None:
    from rich.table import Table

    table = Table(title=f"Turn latency, {result['turns']} turns each (ms)")
    for col in ("", "p50", "p95", "mean"):
        table.add_column(col, justify="right")
    table.add_row("full stack", f"{result['full_p50_ms']:.1f}", f"{result['full_p95_ms']:.1f}",
                  f"{result['full_mean_ms']:.1f}")
    table.add_row("bare Rasa", f"{result['bare_p50_ms']:.1f}", f"{result['bare_p95_ms']:.1f}",
                  f"{result['bare_mean_ms']:.1f}")
    table.add_row("ratio", f"{result['p50_ratio']:.2f}", f"{result['p95_ratio']:.2f}", "")
    if "init_p50_ms" in result:
        table.add_row("`rasa init` bot", f"{result['init_p50_ms']:.1f}", f"{result['init_p95_ms']:.1f}", "")
        table.add_row("ratio to it", f"{result['init_p50_ratio']:.2f}", f"{result['init_p95_ratio']:.2f}", "")
    console.print(table)
    if result.get("phases"):
        _print_phases(result["phases"], console)
    if result.get("conversation_phases_first"):
        _print_phases(result["conversation_phases_first"], console,
                      title=f"A fresh conversation's first {len(TURNS)} turns by phase (ms per turn)")
        _print_phases(result["conversation_phases_last"], console,
                      title=f"The same texts ending a conversation of {result['conversation_turns']} turns, "
                            "played between them (ms per turn)")
    if "conversation_turns" in result:
        console.print(f"A fresh conversation's turns 1-{len(TURNS)} "
                      f"{result['conversation_first_cycle_mean_ms']:.1f} ms mean; the same texts as the end of one of "
                      f"{result['conversation_turns']} turns "
                      f"{result['conversation_last_cycle_mean_ms']:.1f} ms (ratio "
                      f"{result['conversation_growth_ratio']:.2f}); turn 1 {result['conversation_first_ms']:.1f} ms, "
                      f"turn {result['conversation_turns']} {result['conversation_last_ms']:.1f} ms")
    if "first_turn_seconds" in result:
        phases = result["first_turn_phases"]
        console.print(f"Fresh process to first answered turn: {result['first_turn_seconds']:.1f} s "
                      f"(interpreter {phases['interpreter']:.1f}, imports {phases['imports']:.1f}, "
                      f"action server + model load {phases['start']:.1f}, turn {phases['turn']:.1f})")
    if "train_scratch_seconds" in result:
        console.print(f"rasa train from scratch: {result['train_scratch_seconds']:.1f} s; after adding "
                      f"{result['added_examples']} examples: {result['retrain_200_seconds']:.1f} s "
                      f"(ratio {result['retrain_ratio']}; CPU {result['train_scratch_cpu_seconds']:.1f} s "
                      f"and {result['retrain_200_cpu_seconds']:.1f} s)")
    rw = Table(title=f"Rewriter, {result['rewriter_turns']} turns each, "
                     f"{result['rewriter_rewritten']} rewritten (ms; 2,000 indexed utterances, 1,000 pairs)")
    for col in ("", "p50", "p95"):
        rw.add_column(col, justify="right")
    rw.add_row("turn, rewriter on", f"{result['rewriter_on_p50_ms']:.1f}", f"{result['rewriter_on_p95_ms']:.1f}")
    rw.add_row("turn, rewriter off", f"{result['rewriter_off_p50_ms']:.1f}", f"{result['rewriter_off_p95_ms']:.1f}")
    rw.add_row("added", f"{result['rewriter_added_p50_ms']:.1f}", f"{result['rewriter_added_p95_ms']:.1f}")
    rw.add_row("rewrite decision alone", f"{result['rewrite_decision_p50_ms']:.2f}",
               f"{result['rewrite_decision_p95_ms']:.2f}")
    if "repair_decision_p95_ms" in result:
        rw.add_row(f"repair decision alone ({result['repair_repaired']} of {result['repair_decisions']} repaired)",
                   f"{result['repair_decision_p50_ms']:.2f}", f"{result['repair_decision_p95_ms']:.2f}")
        rw.add_row("rewrite + repair (p95 sum)", "", f"{result['rewrite_and_repair_p95_ms']:.2f}")
    console.print(rw)


def _print_phases(phases: dict[str, dict[str, float]], console: Any, title: str | None = None) -> None:
    from rich.table import Table

    table = Table(title=title or ("Full-stack turn by phase (ms per turn, inclusive: MiniLM is also inside "
                                  "the rewriter and featurizer, NLU, policies, actions and tracker store "
                                  "inside Rasa's turn)"))
    for col in ("phase", "mean", "p95", "calls/turn"):
        table.add_column(col, justify="right" if col != "phase" else "left")
    for name, row in phases.items():
        table.add_row(name, f"{row['mean_ms']:.2f}", f"{row['p95_ms']:.2f}", f"{row['calls_per_turn']:.2f}")
    console.print(table)
