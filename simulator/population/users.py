"""A population of simulated household members, generated from a seed.

Each user has hidden preferences (values drawn from `assistant.catalog`), habits, the devices
they talk to, a speaking style (which phrasing of each goal they reach for first, politeness)
and an accent (recurring ASR confusions). The assistant never sees any of it; the user answers
questions about it truthfully.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from simulator.population.asr import Accent, AsrChannel
from simulator.population.channel import Channel

# The devices people talk to in the default home, by the room they are in.
SPEAKING_DEVICES = {
    "bedroom": ("bedroom_speaker", "bedroom_alarm_clock"),
    "kitchen": ("kitchen_speaker",),
    "living_room": ("living_room_tv",),
    "office": ("office_speaker",),
}


@dataclass(frozen=True)
class Preferences:
    """What the user really likes (the simulator's hidden truth)."""

    music_genre: str
    music_artist: str
    sports_team: str          # the team's full catalog name
    cuisine: str
    home_city: str            # a catalog city label, "Seattle, Washington"
    temperature_unit: str     # celsius | fahrenheit
    news_source: str

    def value(self, key: str) -> str | None:
        """The value for a preference key ("music_genre"), or None when the user has none."""
        return getattr(self, key, None)


@dataclass(frozen=True)
class Habits:
    """What the user does every day."""

    coffee_after_alarm: bool
    lights_off_at_night: bool
    wake_time: str            # "07:00"


@dataclass(frozen=True)
class Style:
    """How the user speaks: for each goal kind, the order in which they try phrasings."""

    order: dict[str, tuple[int, ...]] = field(default_factory=dict)
    polite: float = 0.2       # chance of adding "please"
    verbose: float = 0.2      # chance of a "hey" / "can you" opener

    def phrasing(self, kind: str, attempt: int, count: int) -> int:
        """The template index for the ``attempt``-th phrasing (0 = habitual) of a kind."""
        order = self.order.get(kind) or tuple(range(count))
        order = tuple(i for i in order if i < count) or (0,)
        return order[attempt % len(order)]


@dataclass(frozen=True)
class SimUser:
    """One simulated household member."""

    user_id: str
    prefs: Preferences
    habits: Habits
    rooms: tuple[str, ...]       # rooms whose devices the user talks to
    style: Style
    accent: Accent
    patience: float              # 0..1: higher, fewer give-ups
    interests: dict[str, float]  # goal kind -> weight in the daily agenda

    def device_in(self, room: str) -> str:
        """The device the user talks to in a room."""
        return SPEAKING_DEVICES[room][0]


def generate_population(count: int, seed: int, asr: Channel | None = None,
                        templates: dict[str, int] | None = None) -> list[SimUser]:
    """``count`` users drawn from ``seed`` (same seed, same users).

    ``templates`` gives the number of phrasings per goal kind (for the styles).
    """
    from assistant.catalog import load_catalog
    from simulator.population.goals import INTEREST_WEIGHTS, template_counts

    catalog = load_catalog()
    asr = asr if asr is not None else AsrChannel()
    counts = templates if templates is not None else template_counts()
    users = []
    for index in range(count):
        rng = random.Random(f"population:{seed}:{index}")
        artist = rng.choice(catalog.artists)
        genre = artist.genre if rng.random() < 0.7 else rng.choice(catalog.genres)
        team = rng.choice(catalog.teams)
        city = catalog.cities_named(catalog.home_city)[0] if rng.random() < 0.3 else rng.choice(catalog.cities)
        prefs = Preferences(
            music_genre=genre, music_artist=artist.name, sports_team=team.name,
            cuisine=rng.choice(catalog.cuisines), home_city=city.label,
            temperature_unit="fahrenheit" if rng.random() < 0.35 else "celsius",
            news_source=rng.choice(catalog.news_sources),
        )
        habits = Habits(coffee_after_alarm=rng.random() < 0.5, lights_off_at_night=rng.random() < 0.6,
                        wake_time=rng.choice(("06:30", "07:00", "07:15", "07:30")))
        rooms = ("bedroom", "kitchen", "living_room") + (("office",) if rng.random() < 0.4 else ())
        order = {}
        for kind, n in sorted(counts.items()):
            indices = list(range(n))
            rng.shuffle(indices)
            order[kind] = tuple(indices)
        style = Style(order=order, polite=round(rng.uniform(0.0, 0.4), 2),
                      verbose=round(rng.uniform(0.0, 0.4), 2))
        said_phrases = [artist.name.lower(), genre, team.short.lower(), city.name.lower(),
                        prefs.cuisine, "lights", "thermostat", "coffee", "kitchen", "bedroom",
                        "garage door", "unlock", "oven", "weather", "alarm", "restaurant"]
        accent = asr.accent_for(said_phrases, rng, key=f"sim{seed}_u{index:03d}")
        interests = {kind: round(weight * rng.uniform(0.5, 1.5), 3)
                     for kind, weight in sorted(INTEREST_WEIGHTS.items())}
        users.append(SimUser(
            user_id=f"sim{seed}_u{index:03d}", prefs=prefs, habits=habits, rooms=rooms,
            style=style, accent=accent, patience=round(rng.uniform(0.3, 0.95), 2),
            interests=interests,
        ))
    return users
