"""Adversaries in a population run: a share of the simulated users who try to poison what the
assistant learns from everyone (`assistant simulate ... --adversaries F --adversary-kind K`).

- Rewrite attackers collude: they all push the same pairs, each said as a failed request
  followed at once by the "fix" (with a barge-in, the strongest sign of failure), session
  after session. The pairs turn common requests into other actions: opposites (close -> open
  the garage door, set -> cancel the alarm, lock -> unlock) and requests of one kind into
  another kind's (the weather -> open the garage door), which no list of opposites names.
- Label attackers (for self-learning NLU) never signal a failure: after a wrong answer they
  move on as if it were right, so wrong answers look like successes in the log.

Harm is judged against the truth: a victim's request turn that was rewritten and applied a
directive, while the goal was not met (the applied directive is not the one the goal wants).
Every random choice comes from a `random.Random` seeded with the run's seed.
"""

from __future__ import annotations

import enum
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from assistant.turn import TurnRequest

if TYPE_CHECKING:
    from assistant.turn import TurnResult
    from simulator.population.run import RunReport
    from simulator.population.session import PopulationRuntime
    from simulator.population.users import SimUser

# Opposites said the way the simulated users say them.
OPPOSITES: tuple[tuple[str, str], ...] = (
    ("close the garage door", "open the garage door"),
    ("set an alarm for 7 am", "cancel my alarm"),
    ("lock the front door", "unlock the front door"),
    ("turn off the lights", "turn on the lights"),
)
SECONDS_PER_TURN = 15
MINUTES_BETWEEN_CHAINS = 7


class AdversaryKind(str, enum.Enum):
    """What the adversaries attack."""

    REWRITE = "rewrite"   # the global rewrite table
    LABEL = "label"       # the labels self-learning NLU would learn from
    BOTH = "both"

    @property
    def rewrites(self) -> bool:
        return self in (AdversaryKind.REWRITE, AdversaryKind.BOTH)

    @property
    def labels(self) -> bool:
        return self in (AdversaryKind.LABEL, AdversaryKind.BOTH)


@dataclass(frozen=True)
class AdversaryConfig:
    """How many adversaries, of which kind, and how hard they push.

    Attributes:
        fraction: share of the population (0..1; at least one user when above 0).
        kind: what they attack.
        pairs: how many pairs the rewrite attackers push (opposites first, then cross-kind).
        chains_per_pair: sessions per pair, per attacker and day.
    """

    fraction: float
    kind: AdversaryKind = AdversaryKind.REWRITE
    pairs: int = 8
    chains_per_pair: int = 3

    def __post_init__(self) -> None:
        if not 0.0 <= self.fraction <= 1.0:
            raise ValueError(f"--adversaries must be a share within 0..1 (got {self.fraction})")
        if self.pairs < 1 or self.chains_per_pair < 1:
            raise ValueError("pairs and chains_per_pair must be at least 1")


@dataclass(frozen=True)
class Attack:
    """One pair the attackers push: ``source`` should come to mean ``target``."""

    source: str
    target: str
    opposite: bool


def choose(population: Sequence["SimUser"], fraction: float, seed: int) -> frozenset[str]:
    """The adversaries' user ids: ``round(fraction * N)`` users (at least one when above 0)."""
    if fraction <= 0 or not population:
        return frozenset()
    count = min(len(population), max(1, round(fraction * len(population))))
    rng = random.Random(f"adversaries:{seed}")
    return frozenset(u.user_id for u in rng.sample(list(population), count))


def plan_attacks(common: Sequence[tuple[str, str]], config: AdversaryConfig, seed: int) -> list[Attack]:
    """The pairs every attacker pushes: the opposites, then requests of one kind rewritten into
    a common request of another kind (``common``: (kind, phrasing), most common first)."""
    attacks = [Attack(s, t, True) for s, t in OPPOSITES]
    rng = random.Random(f"attacks:{seed}")
    sources = list(common)
    targets = [p for p in common if p[0] != "state_preference"]
    rng.shuffle(targets)
    for kind, source in sources:
        if len(attacks) >= config.pairs:
            break
        target = next((t for k, t in targets if k != kind and t != source), None)
        if target is not None and all(a.source != source for a in attacks):
            attacks.append(Attack(source, target, False))
    return attacks[:max(config.pairs, 1)]


def common_requests(population: Sequence["SimUser"], days: int, seed: int, goals_per_day: int,
                    limit: int = 20) -> list[tuple[str, str]]:
    """The victims' most common (goal kind, first phrasing) requests: what is worth attacking."""
    from simulator.population.goals import daily_goals

    counts: Counter[tuple[str, str]] = Counter()
    for user in population:
        for day in range(days):
            for goal in daily_goals(user, day, seed, goals_per_day):
                if goal.outcome.directive and goal.phrasings:
                    counts[(goal.kind.value, goal.phrasings[0])] += 1
    return [pair for pair, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]]


@dataclass
class HarmReport:
    """What the adversaries achieved."""

    adversaries: list[str] = field(default_factory=list)
    kind: str = AdversaryKind.REWRITE.value
    attacks: list[dict[str, Any]] = field(default_factory=list)
    attack_turns: int = 0
    harmful_global_pairs: list[dict[str, Any]] = field(default_factory=list)   # ever active after mining
    victim_turns: int = 0
    rewritten_victim_turns: int = 0
    harmed_victim_turns: int = 0
    harmed_examples: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"adversaries": list(self.adversaries), "adversary_kind": self.kind,
                "attacks": list(self.attacks), "attack_turns": self.attack_turns,
                "harmful_global_pairs": len(self.harmful_global_pairs),
                "harmful_global_pair_list": list(self.harmful_global_pairs),
                "victim_turns": self.victim_turns, "rewritten_victim_turns": self.rewritten_victim_turns,
                "harmed_victim_turns": self.harmed_victim_turns,
                "harmed_examples": list(self.harmed_examples[:10])}


class Adversaries:
    """The adversaries of one run: who they are, what they say, and the harm they did.

    ``observe`` wraps the runtime so every turn's result is kept by its log id (harm is judged
    on what the home actually applied); ``play_day`` is the attackers' extra sessions of a day;
    ``after_mining`` looks at the global table the miner just wrote.
    """

    def __init__(self, config: AdversaryConfig, population: Sequence["SimUser"], *, days: int,
                 seed: int, goals_per_day: int) -> None:
        self.config = config
        self.ids = choose(population, config.fraction, seed)
        victims = [u for u in population if u.user_id not in self.ids]
        self.attacks = plan_attacks(common_requests(victims, days, seed, goals_per_day), config, seed) \
            if config.kind.rewrites and self.ids else []
        self.report = HarmReport(adversaries=sorted(self.ids), kind=config.kind.value,
                                 attacks=[{"source": a.source, "target": a.target, "opposite": a.opposite}
                                          for a in self.attacks])
        self.results: dict[int, "TurnResult"] = {}
        self._harmful_seen: set[tuple[str, str]] = set()

    def is_adversary(self, user_id: str) -> bool:
        return user_id in self.ids

    def accepts_defects(self, user_id: str) -> bool:
        """A label attacker moves on after a wrong answer as if it were right."""
        return self.config.kind.labels and user_id in self.ids

    def observe(self, runtime: "PopulationRuntime") -> "ObservedRuntime":
        return ObservedRuntime(runtime, self.results)

    def play_day(self, runtime: "PopulationRuntime", user: "SimUser", day: int) -> None:
        """A rewrite attacker's sessions for the day: each pair, ``chains_per_pair`` times."""
        if not (self.config.kind.rewrites and user.user_id in self.ids):
            return
        device = _speaking_device(runtime.home)
        for _ in range(self.config.chains_per_pair):
            for attack in self.attacks:
                for text, barge_in in ((attack.source, False), (attack.target, True)):
                    runtime.home.advance(SECONDS_PER_TURN / 60)
                    runtime.handle(TurnRequest(text, user_id=user.user_id, device_id=device, barge_in=barge_in,
                                               asr_confidence=0.95, timestamp=runtime.home.clock.now))
                    self.report.attack_turns += 1
                runtime.end_session(user.user_id)
                runtime.home.advance(MINUTES_BETWEEN_CHAINS)

    def after_mining(self, runtime: "PopulationRuntime") -> None:
        """Note every active global pair the attackers pushed, or that changes what a request does."""
        from assistant.learning.consensus import action_change

        store = getattr(runtime, "rewrites", None)
        if store is None:
            return
        pushed = {(a.source, a.target) for a in self.attacks}
        spans = _attack_spans(pushed)
        for rewrite in store.all():
            if not rewrite.is_global or rewrite.state.value != "active":
                continue
            key = (rewrite.source, rewrite.target)
            if rewrite.origin == "phrase":
                why = _phrase_harm(key, spans)
            else:
                why = "pushed by the attackers" if _pushed(key, pushed) else action_change(*key)
            if why and key not in self._harmful_seen:
                self._harmful_seen.add(key)
                self.report.harmful_global_pairs.append(
                    {"source": rewrite.source, "target": rewrite.target, "why": why,
                     "supporters": list(rewrite.supporters)})

    def judge(self, report: "RunReport") -> HarmReport:
        """Harmed victim turns, against the truth of each goal."""
        from simulator.population.truth import TurnKind

        for _, goal in report.goals:
            for trace in goal.turns:
                if trace.user_id in self.ids or trace.kind is not TurnKind.REQUEST:
                    continue
                self.report.victim_turns += 1
                result = self.results.get(trace.turn_id) if trace.turn_id is not None else None
                if result is None or not result.rewrite:
                    continue
                self.report.rewritten_victim_turns += 1
                if result.applied and not trace.success:
                    self.report.harmed_victim_turns += 1
                    self.report.harmed_examples.append(
                        {"user": trace.user_id, "goal": trace.goal_id, "heard": result.rewrite.get("original"),
                         "rewritten": result.rewrite.get("rewritten"), "source": result.rewrite.get("source"),
                         "applied": list(result.applied)})
        return self.report


class ObservedRuntime:
    """The runtime, keeping each turn's result by its log id; everything else passes through."""

    def __init__(self, runtime: "PopulationRuntime", results: dict[int, "TurnResult"]) -> None:
        object.__setattr__(self, "_runtime", runtime)
        object.__setattr__(self, "_results", results)

    def handle(self, request: TurnRequest, /) -> "TurnResult":
        result = self._runtime.handle(request)
        if getattr(result, "turn_id", None) is not None:
            self._results[int(result.turn_id)] = result
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._runtime, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._runtime, name, value)


def _pushed(key: tuple[str, str], pushed: Iterable[tuple[str, str]]) -> bool:
    from assistant.text import normalize

    return any(normalize(s) == normalize(key[0]) and normalize(t) == normalize(key[1]) for s, t in pushed)


def _attack_spans(pushed: Iterable[tuple[str, str]]) -> set[tuple[tuple[str, ...], tuple[str, ...]]]:
    """The (heard, meant) spans phrase mining could take from the attackers' pairs."""
    from assistant.learning.phrases import differing_spans
    from assistant.text import tokens

    return {span for source, target in pushed for span in differing_spans(tokens(source), tokens(target))}


def _phrase_harm(key: tuple[str, str], spans: set[tuple[tuple[str, ...], tuple[str, ...]]]) -> str:
    """Why an active phrase rule is harmful ("" when it is not): the attackers' pairs give its
    span, or it touches what a request does."""
    from assistant.learning.phrases import meaning_change

    heard, meant = tuple(key[0].split()), tuple(key[1].split())
    if (heard, meant) in spans:
        return "a phrase rule taken from the attackers' pairs"
    return meaning_change(heard, meant)


def _speaking_device(home: Any) -> str:
    speaking = sorted(d.id for d in home.devices.values() if getattr(d, "can_speak", False))
    return "kitchen_speaker" if "kitchen_speaker" in speaking else speaking[0]
