"""`assistant bench-serve`'s users: what each household asks (seeded, from the team's
templates) and the client that sends it, retrying on the other server."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lab.evaluation.serve_servers import ServeProcess

HOMES = ("north", "south")
USERS_PER_HOME = 16
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


async def collect(client: LoadClient, users: int, turns: int, rng: random.Random,
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
