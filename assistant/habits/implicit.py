"""Implicit preferences: what a user plays, asks about and where they speak from, counted from
the interaction log, weighed by recency, and stored with source ``implicit``.

An observation is one logged turn that shows a choice the user made themselves (they named
the genre, the artist, the city); a turn where the assistant chose for them, or that the user
then rejected, is no evidence. A *resolution* is the strongest: a request that rested on a
preference the user had none of failed ("how did my team do?" -> "I don't know your team yet"),
and the same request, asked again a moment later, named its value ("how did the yankees do?").
It counts as ``resolution_votes`` observations of that value, and is the only evidence of a
team or a cuisine. Evidence fades with a half-life, so old habits drop out. A
stated preference always wins: no inference is stored for a key the user stated, and a "no"
to an inferred value (a `MarkKind.REJECTED` mark) discounts the evidence before it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Protocol

from assistant.prefs.keys import Polarity, PrefKey, Source
from assistant.turn import ANSWERED_KEY, ASKED_CITY_KEY, IMPLICIT_KEY, RESTED_ON_KEY, RestedOn

if TYPE_CHECKING:
    from assistant.habits.store import HabitStore, Mark
    from assistant.learning.log import TurnRecord
    from assistant.prefs.store import PreferenceStore
    from assistant.turn import ActionReport


class TurnSource(Protocol):
    """Where inference reads turns: the `InteractionLog`, or rows read once (the CLI)."""

    def turns(self, *, user_id: str | None = None) -> Iterator["TurnRecord"]: ...

# Words play_media adds when it played an inferred preference (never evidence of a choice).
IMPLICIT_REASON = "which you often listen to"
DEFECT_SIGNALS = ("barge_in", "repeat", "rephrase", "dissatisfaction", "give_up")
WEATHER_REPLY = re.compile(r"\bIn (?P<city>[^:]+?) (?:today|tomorrow):")
ROOM_KEY = "room"  # not a PrefKey: room habits are reported, not stored as preferences
INFERRED_KEYS = (PrefKey.MUSIC_GENRE, PrefKey.MUSIC_ARTIST, PrefKey.HOME_CITY, PrefKey.TEMPERATURE_UNIT,
                 PrefKey.SPORTS_TEAM, PrefKey.CUISINE)


@dataclass(frozen=True)
class InferConfig:
    """Thresholds of inference."""

    half_life_days: float = 14.0   # evidence this old counts half
    # Validated on two simulated populations (seeds 7 and 11, 8 users x 10 days): no wrong
    # inference at these; min_count 1 starts guessing wrong (precision 0.73-0.75).
    min_count: int = 2             # observations of the value, at least
    min_share: float = 0.4         # of the key's (weighted) evidence
    min_confidence: float = 0.4    # share x support, to store
    support_scale: float = 2.0     # support = 1 - exp(-weighted count / scale)
    artist_genre_weight: float = 0.5   # playing an artist is half a vote for their genre
    rejected_weight: float = 0.2   # evidence from before a "no" to the value counts this much
    # A resolution: the failed request and the one naming the value at most this many of the
    # user's turns apart, and this many seconds (the teachable moments' repeat window).
    resolution_turns: int = 3
    resolution_seconds: float = 180.0
    resolution_votes: int = 2      # counts as this many observations (min_count: one is enough)
    resolution_weight: float = 3.0  # ... of this weight (against a city asked about now and then)


@dataclass(frozen=True)
class Observation:
    """One turn's evidence that a user chose ``value`` for ``key`` (a PrefKey value or
    ``room@<time_of_day>``)."""

    user_id: str
    key: str
    value: str
    at: dt.datetime
    weight: float = 1.0
    votes: int = 1     # observations it counts as (a resolution: several)


@dataclass(frozen=True)
class Inference:
    """An inferred preference with its evidence."""

    user_id: str
    key: str
    value: str
    confidence: float
    count: int
    share: float
    last_seen: dt.datetime

    @property
    def pref_key(self) -> PrefKey | None:
        try:
            return PrefKey(self.key)
        except ValueError:
            return None


@dataclass
class InferReport:
    """What `infer` did."""

    inferred: list[Inference] = field(default_factory=list)   # everything above the thresholds
    stored: list[Inference] = field(default_factory=list)     # written as implicit preferences
    kept_explicit: list[Inference] = field(default_factory=list)  # not stored: the user stated one
    removed: list[tuple[str, str, str]] = field(default_factory=list)  # faded implicit rows
    rooms: list[Inference] = field(default_factory=list)      # usual room by time of day

    def summary(self) -> str:
        return (f"{len(self.stored)} implicit preference(s) stored, {len(self.removed)} faded, "
                f"{len(self.kept_explicit)} left to stated ones, {len(self.rooms)} room habit(s)")


# -- observations ----------------------------------------------------------------------


def keep_evidence(record: "TurnRecord", report: "ActionReport") -> None:
    """Add to a turn's logged evidence what its answer was about and the preference it rested on
    (the actions' typed tags), which `resolutions` reads. The pipeline calls it before logging."""
    evidence = dict(record.evidence or {})
    if report.answered:
        evidence[ANSWERED_KEY] = dict(report.answered)
    if report.rested_on is not None:
        evidence.update(report.rested_on.to_json())
    record.evidence = evidence


def observations(turns: Iterable["TurnRecord"], config: InferConfig = InferConfig()) -> list[Observation]:
    """The evidence in logged turns (in any order)."""
    from assistant.catalog import load_catalog

    turns = list(turns)
    catalog = load_catalog()
    genres = {g.lower(): g for g in catalog.genres}
    artists = {a.name.lower(): a for a in catalog.artists}
    cities = {c.label: c for c in catalog.cities}
    out: list[Observation] = []
    for turn in turns:
        text = " " + _words(turn.text) + " "
        context = turn.context or {}
        if context.get("room") and context.get("time_of_day"):
            out.append(Observation(turn.user_id, f"{ROOM_KEY}@{context['time_of_day']}",
                                   str(context["room"]), turn.timestamp))
        used_inferred, asked_city = _evidence(turn)
        if any((turn.feedback or {}).get(s) for s in DEFECT_SIGNALS) or used_inferred:
            continue
        refused = {r[0] for r in (turn.refused or []) if r}
        for directive in turn.directives or []:
            if directive in refused or not directive.startswith("play "):
                continue
            item, _, fmt = directive.split(" ", 2)[-1].partition("|")
            name = item.lower()
            if fmt != "music" or f" {_words(name)} " not in text:
                continue  # a default the assistant chose, or not music
            if name in genres:
                out.append(Observation(turn.user_id, PrefKey.MUSIC_GENRE.value, genres[name], turn.timestamp))
            elif name in artists:
                artist = artists[name]
                out.append(Observation(turn.user_id, PrefKey.MUSIC_ARTIST.value, artist.name, turn.timestamp))
                out.append(Observation(turn.user_id, PrefKey.MUSIC_GENRE.value, artist.genre, turn.timestamp,
                                       config.artist_genre_weight))
        city = cities.get(asked_city or "")
        if city is not None and f" {_words(city.name)} " in text:
            out.append(Observation(turn.user_id, PrefKey.HOME_CITY.value, city.label, turn.timestamp))
        if turn.intent in ("ask_weather", "ask_temperature"):
            for unit in ("fahrenheit", "celsius"):
                if f" {unit} " in text:
                    out.append(Observation(turn.user_id, PrefKey.TEMPERATURE_UNIT.value, unit, turn.timestamp))
    return out + resolutions(turns, config)


def resolutions(turns: Iterable["TurnRecord"], config: InferConfig = InferConfig()) -> list[Observation]:
    """The values users named right after a request that rested on a preference they had none
    of had failed: the answer could not be given ("I don't know your team yet"), or its guess
    (the home's city, some pop) was rejected (a repeat, a rephrase, a "no"). Turns in any order."""
    from assistant.teachable.signals import NAMED_VALUES

    by_user: dict[str, list["TurnRecord"]] = defaultdict(list)
    for turn in turns:
        by_user[turn.user_id].append(turn)
    out: list[Observation] = []
    for user, rows in by_user.items():
        rows.sort(key=lambda t: (t.timestamp, t.id or 0))
        open_need: dict[str, tuple[int, dt.datetime, str]] = {}   # intent -> (index, when, key)
        for index, turn in enumerate(rows):
            intent = str(turn.intent or "")
            if intent not in NAMED_VALUES:
                continue
            evidence = turn.evidence or {}
            rested = RestedOn.decode(evidence.get(RESTED_ON_KEY))
            if rested is not None:   # filled in for the user: a need when it failed, else none
                failed = not rested.stored and (rested.guess is None or turn.defect_signalled)
                open_need.pop(intent, None)
                if failed:
                    open_need[intent] = (index, turn.timestamp, rested.key)
                continue
            need = open_need.pop(intent, None)
            field_name, key = NAMED_VALUES[intent]
            value = (evidence.get(ANSWERED_KEY) or {}).get(field_name)
            if need is None or not value or need[2] != key or turn.defect_signalled \
                    or evidence.get(IMPLICIT_KEY):
                continue
            if index - need[0] <= config.resolution_turns \
                    and (turn.timestamp - need[1]).total_seconds() <= config.resolution_seconds:
                out.append(Observation(user, key, str(value), turn.timestamp, config.resolution_weight,
                                       config.resolution_votes))
    return out


def _evidence(turn: "TurnRecord") -> tuple[bool, str | None]:
    """Whether the turn's action used an inferred value, and the city the user asked the
    weather of, from the actions' typed tags in the log (``turn.evidence``). Rows logged before
    the log kept them (``evidence`` None) are read from the reply, as they were then."""
    if turn.evidence is not None:
        return bool(turn.evidence.get(IMPLICIT_KEY)), turn.evidence.get(ASKED_CITY_KEY)
    reply = turn.reply or ""
    found = WEATHER_REPLY.search(reply)
    return IMPLICIT_REASON in reply, found.group("city") if found and "(your home city)" not in reply else None


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", str(text).lower()))


# -- scoring ---------------------------------------------------------------------------


def score(obs: Iterable[Observation], now: dt.datetime, config: InferConfig = InferConfig(),
          marks: Iterable["Mark"] = ()) -> list[Inference]:
    """The top value of each (user, key) whose evidence passes the thresholds.

    Weighted count of a value = sum over its observations of weight x 0.5^(age / half-life);
    share = its part of the key's weighted count; confidence = share x (1 - exp(-count / scale)).
    Evidence from before the user's "forget" of a key is dropped; from before a "no" to the
    value, discounted.
    """
    from assistant.habits.store import MarkKind

    forgot: dict[tuple[str, str], dt.datetime] = {}
    rejected: dict[tuple[str, str, str], dt.datetime] = {}
    for mark in marks:
        if mark.kind is MarkKind.FORGOT:
            slot = (mark.user_id, mark.key)
            forgot[slot] = max(forgot.get(slot, mark.at), mark.at)
        elif mark.kind is MarkKind.REJECTED:
            slot3 = (mark.user_id, mark.key, mark.value)
            rejected[slot3] = max(rejected.get(slot3, mark.at), mark.at)
    weighted: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    counts: dict[tuple[str, str, str], int] = defaultdict(int)
    last: dict[tuple[str, str, str], dt.datetime] = {}
    for o in obs:
        cut = max((forgot[(o.user_id, k)] for k in (o.key, "*") if (o.user_id, k) in forgot),
                  default=None)
        if cut is not None and o.at <= cut:
            continue
        age_days = max(0.0, (now - o.at).total_seconds() / 86400)
        weight = o.weight * 0.5 ** (age_days / config.half_life_days)
        no = rejected.get((o.user_id, o.key, o.value))
        if no is not None and o.at <= no:
            weight *= config.rejected_weight
        weighted[(o.user_id, o.key)][o.value] += weight
        if o.weight >= 1.0:
            counts[(o.user_id, o.key, o.value)] += o.votes
        slot3 = (o.user_id, o.key, o.value)
        last[slot3] = max(last.get(slot3, o.at), o.at)
    out = []
    for (user, key), values in sorted(weighted.items()):
        total = sum(values.values())
        value, mass = max(sorted(values.items()), key=lambda item: item[1])
        count = counts.get((user, key, value), 0)
        share = mass / total if total > 0 else 0.0
        confidence = share * (1.0 - math.exp(-mass / config.support_scale))
        if count >= config.min_count and share >= config.min_share and confidence >= config.min_confidence:
            out.append(Inference(user, key, value, round(confidence, 3), count, round(share, 3),
                                 last[(user, key, value)]))
    return out


# -- storing ---------------------------------------------------------------------------


def infer(log: TurnSource, prefs: "PreferenceStore", now: dt.datetime, *,
          habits: "HabitStore | None" = None, config: InferConfig = InferConfig(),
          user_id: str | None = None) -> InferReport:
    """Infer preferences from the log (of one user, or everyone) and store them as implicit.

    A key the user stated (any source but implicit, liked) keeps the stated value; implicit
    rows whose evidence faded below the thresholds are removed. ``now`` is the clock the log's
    timestamps use (the home's simulated clock in simulations).
    """
    turns = log.turns(user_id=user_id)
    marks = habits.marks(user_id) if habits is not None else []
    inferred = score(observations(turns, config), now, config, marks)
    report = InferReport(inferred=inferred)
    report.rooms = [i for i in inferred if i.key.startswith(ROOM_KEY + "@")]
    by_user: dict[str, dict[PrefKey, Inference]] = defaultdict(dict)
    for inference in inferred:
        if inference.pref_key is not None:
            by_user[inference.user_id][inference.pref_key] = inference
    users = set(by_user) | ({user_id} if user_id else set(prefs.users()))
    for user in sorted(users):
        held = prefs.get(user)
        for key in INFERRED_KEYS:
            stated = [p for p in held if p.key is key and p.source is not Source.IMPLICIT]
            implicit = [p for p in held if p.key is key and p.source is Source.IMPLICIT]
            found = by_user.get(user, {}).get(key)
            disliked = found is not None and any(p.value == found.value and p.polarity is Polarity.DISLIKE
                                                 for p in stated)
            keep = None
            if found is not None and (disliked or any(p.polarity is Polarity.LIKE for p in stated)):
                report.kept_explicit.append(found)
            elif found is not None:
                prefs.set(user, key, found.value, Polarity.LIKE, Source.IMPLICIT, found.confidence)
                report.stored.append(found)
                keep = found.value
            for row in implicit:
                if row.value != keep:
                    delete_implicit(prefs, user, key, row.value)
                    report.removed.append((user, key.value, row.value))
    return report


def delete_implicit(prefs: "PreferenceStore", user_id: str, key: PrefKey, value: str) -> int:
    """Delete one implicit row (never a stated one); rows removed. The store has no
    single-row delete, so this goes to its table through SQLAlchemy."""
    import sqlalchemy as sa

    table = sa.Table("preferences", sa.MetaData(), sa.Column("user_id"), sa.Column("key"),
                     sa.Column("value"), sa.Column("source"))
    engine: Any = prefs._engine  # noqa: SLF001 - same database, one statement
    with engine.begin() as conn:
        return int(conn.execute(sa.delete(table).where(
            table.c.user_id == user_id, table.c.key == PrefKey(key).value, table.c.value == value,
            table.c.source == Source.IMPLICIT.value)).rowcount or 0)


def reject(prefs: "PreferenceStore", habits: "HabitStore | None", user_id: str, key: PrefKey,
           value: str, at: dt.datetime, config: InferConfig = InferConfig(), factor: float = 0.4) -> float:
    """The user said no to an inferred value: lower it now (removed below the threshold) and
    remember the no for later inference. The new confidence (0 when removed)."""
    if habits is not None:
        from assistant.habits.store import MarkKind

        habits.mark(user_id, MarkKind.REJECTED, PrefKey(key).value, value, at=at)
    row = next((p for p in prefs.get(user_id, key) if p.value == value and p.source is Source.IMPLICIT), None)
    if row is None:
        return 0.0
    lowered = round(row.confidence * factor, 3)
    if lowered < config.min_confidence:
        delete_implicit(prefs, user_id, key, value)
        return 0.0
    prefs.set(user_id, key, value, Polarity.LIKE, Source.IMPLICIT, lowered)
    return lowered
