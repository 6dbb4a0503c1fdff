"""Goals: what a simulated user wants from one exchange, and what counts as getting it.

Modelled on ConvLab-3's agenda user: a goal holds the intent, the slots, the target device,
the phrasings the user can reach for, and the outcome that counts as success: a directive the
home applied (``turn_on bedroom_light``), a reply matching a pattern (the weather for the
user's city), or a preference stored. Only what the assistant supports is asked for.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assistant.outcomes import Problem
from simulator.population.kinds import INTEREST_WEIGHTS, STATEMENTS, TEMPLATES, GoalKind

if TYPE_CHECKING:
    from simulator.population.users import SimUser

__all__ = ["INTEREST_WEIGHTS", "STATEMENTS", "TEMPLATES", "GoalKind", "Goal", "Outcome", "build_goal", "daily_goals"]

K = GoalKind


@dataclass(frozen=True)
class Outcome:
    """What counts as success for a goal (any one filled field must hold).

    Attributes:
        directive: a regular expression an applied directive must fully match.
        answer: (key, value) the answering action must have tagged (`TurnResult.answered`, the
            value compared without case): ("city", "Seattle, Washington"), ("team", ...), ...
        preference: (key, value) the assistant must have stored after the turn.
        impossible: nothing can satisfy the goal; the right answer explains why, tagged with
            ``problem`` (a `Problem` code).
        out_of_scope: the home can't do it; success is the assistant's out-of-scope intent with
            no directive applied (the turn's typed result, not the reply's wording).
    """

    directive: str | None = None
    answer: tuple[str, str] | None = None
    problem: str | None = None
    preference: tuple[str, str] | None = None
    impossible: bool = False
    out_of_scope: bool = False


@dataclass(frozen=True)
class Goal:
    """One thing a user wants, with everything needed to say it and to judge the answer."""

    goal_id: str
    kind: GoalKind
    intent: str                        # the intent the assistant should recognise
    device_id: str                     # the device the user speaks to
    time: str                          # "HH:MM" on the home clock
    phrasings: tuple[str, ...]         # filled templates, in template order
    outcome: Outcome
    slots: dict[str, str] = field(default_factory=dict)
    critical: tuple[str, ...] = ()     # phrases naming the target or value: must survive the ASR channel
    keywords: tuple[str, ...] = ()     # phrases that tell the intent apart: matter when NLU misses it
    fallbacks: tuple[str, ...] = ()    # explicit phrasings a user falls back on ("play some jazz")
    pref_keys: tuple[str, ...] = ()    # hidden preferences the outcome depends on
    target: str | None = None          # the device the outcome concerns
    setup: dict[str, dict[str, Any]] = field(default_factory=dict)  # states before the goal
    also_intents: tuple[str, ...] = ()
    hwu64_id: int | None = None        # the HWU64 row an out-of-scope goal comes from

    def accepts_intent(self, intent: str | None) -> bool:
        return intent == self.intent or intent in self.also_intents


def template_counts() -> dict[str, int]:
    """Number of phrasings per kind (what a user's style orders)."""
    return {kind.value: len(templates) for kind, templates in TEMPLATES.items()}


def spoken_time(hhmm: str) -> str:
    """ "07:30" -> "7:30 am"; "22:00" -> "10 pm"."""
    hour, minute = (int(part) for part in hhmm.split(":"))
    suffix = "am" if hour < 12 else "pm"
    shown = hour % 12 or 12
    return f"{shown} {suffix}" if minute == 0 else f"{shown}:{minute:02d} {suffix}"


def _room_words(room: str) -> str:
    return room.replace("_", " ")


def _fill(kind: GoalKind, **values: str) -> tuple[str, ...]:
    return tuple(template.format(**values) for template in TEMPLATES[kind])


def _escape(value: str) -> str:
    return re.escape(value)


def build_goal(kind: GoalKind, user: "SimUser", goal_id: str, time: str, rng: random.Random) -> Goal:
    """A goal of ``kind`` for ``user`` at ``time``; every random choice from ``rng``."""
    from assistant.catalog import load_catalog

    catalog = load_catalog()
    prefs = user.prefs
    light_rooms = [r for r in user.rooms if r in ("kitchen", "living_room", "bedroom", "office")]
    common: dict[str, Any] = {"goal_id": goal_id, "kind": kind, "time": time}
    if kind in (K.LIGHT_ON, K.LIGHT_OFF, K.BRIGHTNESS, K.COLOR):
        room = rng.choice(light_rooms)
        light = f"{room}_light"
        device = user.device_in(room)
        words = _room_words(room)
        if kind is K.COLOR and room == "office":  # the office light has no colour
            room, light, device, words = "kitchen", "kitchen_light", user.device_in("kitchen"), "kitchen"
        if kind in (K.LIGHT_ON, K.LIGHT_OFF):
            on = kind is K.LIGHT_ON
            verb = "turn_on" if on else "turn_off"
            return Goal(**common, intent=verb, device_id=device, phrasings=_fill(kind, room=words),
                        outcome=Outcome(directive=f"{verb} {light}"), slots={"room": words},
                        critical=(words, "lights", "light"), target=light,
                        setup={light: {"power": "off" if on else "on"}})
        if kind is K.BRIGHTNESS:
            number = str(rng.choice((10, 20, 30, 40, 50, 60, 70, 80)))
            return Goal(**common, intent="set_brightness", device_id=device,
                        phrasings=_fill(kind, room=words, number=number),
                        outcome=Outcome(directive=f"set_brightness {light} {number}"),
                        slots={"room": words, "number": number}, critical=(words, number, "lights", "light"),
                        target=light, setup={light: {"power": "on", "brightness": 100}})
        color = rng.choice([c for c in catalog.colors if c != "white"])
        return Goal(**common, intent="set_color", device_id=device,
                    phrasings=_fill(kind, room=words, color=color),
                    outcome=Outcome(directive=f"set_color {light} {_escape(color)}"),
                    slots={"room": words, "color": color}, critical=(words, color), target=light,
                    setup={light: {"power": "on", "color": "white"}})
    if kind is K.THERMOSTAT:
        degrees = rng.choice((18, 19, 20, 22, 23, 24))
        return Goal(**common, intent="set_temperature", device_id=user.device_in(rng.choice(user.rooms)),
                    phrasings=_fill(kind, number=str(degrees)),
                    outcome=Outcome(directive=f"set_temperature thermostat {degrees}"),
                    slots={"number": str(degrees)}, critical=("thermostat", "heating", str(degrees)),
                    target="thermostat", setup={"thermostat": {"target_temperature": 21}})
    if kind is K.OVEN:
        degrees = rng.choice((160, 180, 190, 200, 220))
        return Goal(**common, intent="set_temperature", device_id=user.device_in("kitchen"),
                    phrasings=_fill(kind, number=str(degrees)),
                    outcome=Outcome(directive=f"set_temperature oven {degrees}"),
                    slots={"number": str(degrees)}, critical=("oven", str(degrees)), target="oven",
                    setup={"oven": {"power": "off"}})
    simple: dict[GoalKind, tuple[str, str, str, dict[str, Any], str]] = {
        K.GARAGE_OPEN: ("open_device", "open garage_door", "garage_door", {"position": "closed"}, "garage door"),
        K.GARAGE_CLOSE: ("close_device", "close garage_door", "garage_door", {"position": "open"}, "garage door"),
        K.LOCK: ("lock_device", "lock front_door_lock", "front_door_lock", {"locked": False}, "lock"),
        K.UNLOCK: ("unlock_device", "unlock front_door_lock", "front_door_lock", {"locked": True}, "unlock"),
        K.COFFEE: ("start_coffee", "brew coffee_maker", "coffee_maker", {"power": "off", "brewing": False},
                   "coffee"),
        K.TV_ON: ("turn_on", "turn_on living_room_tv", "living_room_tv", {"power": "off"}, "tv"),
    }
    if kind in simple:
        intent, directive, target, state, keyword = simple[kind]
        room = {"coffee_maker": "kitchen", "living_room_tv": "living_room"}.get(target) \
            or rng.choice(user.rooms)
        also = ("turn_on",) if kind is K.COFFEE else ()
        return Goal(**common, intent=intent, device_id=user.device_in(room), phrasings=_fill(kind),
                    outcome=Outcome(directive=directive), critical=(keyword, "door", "television"),
                    target=target, setup={target: state}, also_intents=also)
    if kind is K.ALARM:
        hhmm = user.habits.wake_time if rng.random() < 0.7 else rng.choice(("05:45", "06:00", "08:00", "08:30"))
        spoken = spoken_time(hhmm)
        return Goal(**common, intent="set_alarm", device_id=user.device_in("bedroom"),
                    phrasings=_fill(kind, time=spoken),
                    outcome=Outcome(directive=rf"set_alarm \S+ {hhmm}"), slots={"time": spoken},
                    critical=(spoken.split()[0],), keywords=("alarm",), target="bedroom_alarm_clock")
    if kind in (K.PLAY_ARTIST, K.PLAY_GENRE, K.PLAY_TITLE, K.PLAY_MUSIC):
        room = rng.choice([r for r in user.rooms if r != "office"] or ["kitchen"])
        device = user.device_in(room)
        has_screen = device == "living_room_tv"
        if kind is K.PLAY_ARTIST:
            artist = prefs.music_artist if rng.random() < 0.6 else rng.choice(catalog.artists).name
            return Goal(**common, intent="play_media", device_id=device,
                        phrasings=_fill(kind, artist=artist.lower()),
                        outcome=Outcome(directive=rf"play {device} {_escape(artist)}\|music"),
                        slots={"artist": artist}, critical=(artist.lower(),), target=device)
        if kind is K.PLAY_GENRE:
            genre = prefs.music_genre if rng.random() < 0.6 else rng.choice(catalog.genres)
            return Goal(**common, intent="play_media", device_id=device, phrasings=_fill(kind, genre=genre),
                        outcome=Outcome(directive=rf"play {device} {_escape(genre)}\|music"),
                        slots={"genre": genre}, critical=(genre,), target=device)
        if kind is K.PLAY_TITLE:
            title = rng.choice(catalog.titles)
            order = ("film", "audiobook", "podcast") if has_screen else ("audiobook", "podcast")
            fmt = next((f for f in order if f in title.formats), None)
            spoken = title.title.lower()
            if fmt is None:  # a film-only title on a speaker: impossible, the assistant should say why
                outcome = Outcome(problem=Problem.NEEDS_SCREEN.value, impossible=True)
            else:
                outcome = Outcome(directive=rf"play {device} {_escape(title.title)}\|{fmt}")
            return Goal(**common, intent="play_media", device_id=device, phrasings=_fill(kind, title=spoken),
                        outcome=outcome, slots={"media_title": title.title, "format": fmt or "none"},
                        critical=(spoken.removeprefix("the "),), target=device)
        liked = "|".join(_escape(v) for v in (prefs.music_genre, prefs.music_artist))
        return Goal(**common, intent="play_media", device_id=device, phrasings=_fill(kind),
                    outcome=Outcome(directive=rf"play {device} (?:{liked})\|music"),
                    keywords=("music",), pref_keys=("music_genre", "music_artist"), target=device,
                    # The fallback names the genre: misheard there, the channel is to blame (a
                    # critical phrase counts only on a turn that says it).
                    critical=(prefs.music_genre,), fallbacks=(f"play some {prefs.music_genre}",))
    if kind is K.WEATHER_CITY:
        names = sorted({c.name for c in catalog.cities if len(catalog.cities_named(c.name)) == 1})
        city = catalog.cities_named(rng.choice(names))[0]
        return Goal(**common, intent="ask_weather", device_id=user.device_in(rng.choice(user.rooms)),
                    phrasings=_fill(kind, city=city.name.lower()),
                    outcome=Outcome(answer=("city", city.label)), slots={"city": city.name},
                    critical=(city.name.lower(),), keywords=("weather",))
    if kind is K.WEATHER_HOME:  # the city is what counts; the unit is only a nicety
        return Goal(**common, intent="ask_weather", device_id=user.device_in(rng.choice(user.rooms)),
                    phrasings=_fill(kind),
                    outcome=Outcome(answer=("city", prefs.home_city)),
                    keywords=("weather",), pref_keys=("home_city", "temperature_unit"),
                    critical=(prefs.home_city.split(",")[0].lower(),),   # said by the fallback only
                    fallbacks=(f"what's the weather in {prefs.home_city.lower()}",))
    if kind in (K.TEAM_NAMED, K.TEAM_MINE):
        if kind is K.TEAM_NAMED:
            team = rng.choice(catalog.teams)
            keys: tuple[str, ...] = ()
            phrasings = _fill(kind, team=team.short.lower())
        else:
            team = next(t for t in catalog.teams if t.name == prefs.sports_team)
            phrasings, keys = _fill(kind), ("sports_team",)
        return Goal(**common, intent="ask_team_score", device_id=user.device_in(rng.choice(user.rooms)),
                    phrasings=phrasings, outcome=Outcome(answer=("team", team.name)),
                    slots={"team": team.short} if not keys else {}, critical=(team.short.lower(),),
                    keywords=("team",), pref_keys=keys,
                    fallbacks=(f"how did the {team.short.lower()} do",) if keys else ())
    if kind in (K.RESTAURANT_CUISINE, K.RESTAURANT_MINE):
        if kind is K.RESTAURANT_CUISINE:
            cuisine = rng.choice(catalog.cuisines)
            keys = ()
            phrasings = _fill(kind, cuisine=cuisine)
        else:
            cuisine, keys = prefs.cuisine, ("cuisine",)
            phrasings = _fill(kind)
        return Goal(**common, intent="find_restaurant", device_id=user.device_in(rng.choice(user.rooms)),
                    phrasings=phrasings, outcome=Outcome(answer=("cuisine", cuisine)),
                    slots={"cuisine": cuisine} if not keys else {}, critical=(cuisine,),
                    keywords=("restaurant", "food"), pref_keys=keys,
                    fallbacks=(f"find me a {cuisine} restaurant",) if keys else ())
    if kind is K.STATE_PREFERENCE:
        key = rng.choice(sorted(STATEMENTS))
        value, spoken = preference_value(user, key)
        statement = rng.choice(STATEMENTS[key]).format(value=spoken)
        return Goal(**common, intent="state_preference", device_id=user.device_in(rng.choice(user.rooms)),
                    phrasings=(statement,), outcome=Outcome(preference=(key, value)),
                    slots={"key": key, "value": value}, critical=(spoken.lower(),))
    if kind is K.LEARN_PREFERENCES:
        return Goal(**common, intent="learn_preferences", device_id=user.device_in(rng.choice(user.rooms)),
                    phrasings=_fill(kind), outcome=Outcome(answer=("questions", "asked")),
                    keywords=("preferences",))
    raise ValueError(f"no goal builder for {kind}")


def preference_value(user: "SimUser", key: str) -> tuple[str, str]:
    """(stored value, how the user says it) for a preference key."""
    from assistant.catalog import load_catalog

    prefs = user.prefs
    if key == "sports_team":
        team = next(t for t in load_catalog().teams if t.name == prefs.sports_team)
        return team.name, team.short.lower()
    if key == "home_city":
        return prefs.home_city, prefs.home_city.lower()
    if key == "music_artist":
        return prefs.music_artist, prefs.music_artist.lower()
    value = prefs.value(key) or ""
    return value, value.lower()


def daily_goals(user: "SimUser", day: int, seed: int, per_day: int = 3) -> list[Goal]:
    """The user's agenda for one day: habits plus a few goals drawn from their interests.

    Depends only on (user, day, seed), never on how earlier goals went, so every arm meets
    the same goals.
    """
    rng = random.Random(f"agenda:{seed}:{user.user_id}:{day}")
    plan: list[tuple[str, GoalKind]] = []
    if user.habits.coffee_after_alarm:
        hour, minute = (int(p) for p in user.habits.wake_time.split(":"))
        plan.append((f"{hour:02d}:{minute + 10:02d}", K.COFFEE))
    if day == 0 and rng.random() < 0.15:
        plan.append(("08:30", K.LEARN_PREFERENCES))
    if rng.random() < 0.2:
        plan.append((f"{rng.randint(9, 20):02d}:{rng.choice((5, 35)):02d}", K.STATE_PREFERENCE))
    kinds = sorted(user.interests)
    weights = [user.interests[k] for k in kinds]
    count = max(1, per_day + rng.choice((-1, 0, 0, 1)))
    for _ in range(count):
        kind = GoalKind(rng.choices(kinds, weights)[0])
        plan.append((f"{rng.randint(8, 21):02d}:{rng.choice((0, 15, 30, 45)):02d}", kind))
    if user.habits.coffee_after_alarm and rng.random() < 0.8:
        plan.append(("22:00", K.ALARM))
    if user.habits.lights_off_at_night:
        plan.append(("22:40", K.LIGHT_OFF))
    plan.sort(key=lambda item: item[0])
    goals = []
    for index, (time, kind) in enumerate(plan):
        goal_rng = random.Random(f"goal:{seed}:{user.user_id}:{day}:{index}")
        goal = build_goal(kind, user, f"{user.user_id}-d{day}-g{index}", time, goal_rng)
        if kind is K.LIGHT_OFF and time == "22:40":
            goal = _bedroom_lights_off(goal, user)
        goals.append(goal)
    return goals


def _bedroom_lights_off(goal: Goal, user: "SimUser") -> Goal:
    """The night habit: the bedroom lights, from the bedroom."""
    return Goal(goal_id=goal.goal_id, kind=goal.kind, intent="turn_off", device_id=user.device_in("bedroom"),
                time=goal.time, phrasings=_fill(K.LIGHT_OFF, room="bedroom"),
                outcome=Outcome(directive="turn_off bedroom_light"), slots={"room": "bedroom"},
                critical=("bedroom", "lights", "light"), target="bedroom_light",
                setup={"bedroom_light": {"power": "on"}})


def moment(base: dt.date, day: int, hhmm: str) -> dt.datetime:
    """The home-clock time of ``hhmm`` on simulated day ``day``."""
    hour, minute = (int(p) for p in hhmm.split(":"))
    return dt.datetime.combine(base + dt.timedelta(days=day), dt.time(hour, minute))
