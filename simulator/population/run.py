"""A population run: simulated households living simulated days with the assistant, in one arm.

Every arm starts from a clean learning state with the same users, the same homes, the same
goals and the same ASR noise; only the learning switched on differs. Between simulated days,
arms that use rewrites mine the interaction log into the rewrite table.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Sequence

from simulator import truth_store
from simulator.population.asr import AsrChannel, AsrConfig
from simulator.population.channel import Channel
from simulator.population.goals import daily_goals, moment
from simulator.population.hwu64 import HwuDataError
from simulator.population.hwu_mapping import MappingError
from simulator.population.out_of_scope import with_out_of_scope
from simulator.population.reactions import ReactionConfig
from simulator.population.real_phrasing import RealPhrasing, load_phrasing
from simulator.population.session import GoalSession, GoalTrace, PopulationRuntime
from simulator.population.users import SimUser, generate_population
from simulator.population.voice import PhrasingMode, Voice, make_voice

if TYPE_CHECKING:
    from simulator.population.adversary import AdversaryConfig
    from simulator.population.nightly import NightlyLearning

ARMS = ("baseline", "teachable", "global", "personal", "selflearn", "full")
Progress = Callable[[int, int], None]
Miner = Callable[[PopulationRuntime], str]


class PopulationError(RuntimeError):
    """A population run cannot start (bad arguments, a runtime without the needed parts)."""


@dataclass
class RunReport:
    """Everything a run produced; `metrics.summarize` turns it into the JSON figures."""

    arm: str
    users: int
    days: int
    seed: int
    goals: list[tuple[int, GoalTrace]] = field(default_factory=list)   # (day, goal)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    rewrite_table: dict[str, int] = field(default_factory=dict)
    phrasing: str = PhrasingMode.TEMPLATES.value
    asr: str = "confusions"          # the channel users were heard through: speech | confusions
    adversaries: dict[str, Any] = field(default_factory=dict)   # HarmReport.to_json() with --adversaries
    nlu_accuracy_by_day: list[float | None] = field(default_factory=list)   # with a nightly job only
    nights: list[dict[str, Any]] = field(default_factory=list)
    label_figures: dict[str, Any] = field(default_factory=dict)
    learned_examples: int | None = None
    layers_off: list[str] = field(default_factory=list)   # learning layers switched off in this arm
    # (note's position, day, preferences stored) of each night's learning from activity (its note's figure)
    inferred: list[tuple[int, int, int]] = field(default_factory=list)

    @property
    def turn_count(self) -> int:
        return sum(len(g.turns) for _, g in self.goals)


# Arms whose users learn nothing from each other (no rewrite, repair, label or retrain is shared; what
# the teachable arm learns is each user's own): their users can be played in separate processes.
SHARDABLE = frozenset({"baseline", "teachable"})


def merge_reports(shards: Sequence[RunReport], user_ids: Sequence[str]) -> RunReport:
    """The report of one run from its shards' (`run_population(shard=...)`): the goals in the order
    the one-process run plays them (by day, then by user in ``user_ids``' order), the shards'
    notes in shard order, and the seconds of the slowest shard (they play at once)."""
    first = shards[0]
    rank = {user: n for n, user in enumerate(user_ids)}

    def user_of(goal: GoalTrace) -> str:
        return goal.turns[0].user_id if goal.turns else goal.goal_id.split("-d")[0]

    goals = sorted(((day, goal) for shard in shards for day, goal in shard.goals),
                   key=lambda item: (item[0], rank.get(user_of(item[1]), len(rank))))
    notes, inferred = list(first.notes), []
    for position, day, _ in first.inferred:   # each night's inference over every shard's users
        total = sum(count for shard in shards for at, _, count in shard.inferred if at == position)
        notes[position] = f"day {day}: {inference_note(total)}"
        inferred.append((position, day, total))
    told = {position for shard in shards for position, _, _ in shard.inferred}
    notes += [note for shard in shards[1:] for at, note in enumerate(shard.notes)   # what only a shard said
              if at not in told and (at >= len(first.notes) or note != first.notes[at])]
    return dataclasses.replace(first, goals=goals, seconds=max(r.seconds for r in shards), notes=notes,
                               inferred=inferred)


# The learning layers an arm can run without (`--without`), by the name the CLI takes.
LAYERS = {"teachable": "teachable", "precomputed": "precomputed", "global": "global_",
          "personal": "personal", "explore": "explore", "nlu_learning": "nlu_learning",
          "phrase_rules": "phrase_rules", "global_repair": "global_repair",
          "personal_repair": "personal_repair", "personal_phrase_rules": "personal_phrase_rules"}


def without_layers(flags: Any, layers: Sequence[str]) -> Any:
    """The flags with the named layers switched off (each alone, so its share can be measured)."""
    import dataclasses

    unknown = [name for name in layers if name not in LAYERS]
    if unknown:
        raise PopulationError(f"unknown learning layer {unknown[0]!r}; choose among {', '.join(LAYERS)}")
    return dataclasses.replace(flags, **{LAYERS[name]: False for name in layers}) if layers else flags


def arm_flags(arm: str) -> Any:
    """The runtime's learning flags for an arm name."""
    if arm not in ARMS:
        raise PopulationError(f"unknown arm {arm!r}; choose one of {', '.join(ARMS)} (or all)")
    try:
        from assistant.learning.config import Arm
    except ImportError as error:
        raise PopulationError(f"the learning arms are not available ({error})") from error
    return Arm(arm).flags


def uses_rewrites(flags: Any) -> bool:
    return bool(getattr(flags, "precomputed", False) or getattr(flags, "rewrites", False)
                or getattr(flags, "phrase_rules", False))


def default_miner(runtime: PopulationRuntime) -> str:
    """Mine the log into rewrites; returns a one-line summary."""
    try:
        from assistant.learning import mining
    except ImportError as error:
        raise PopulationError(
            f"rewrite mining is not available ({error}); rewrite arms run with online retrieval only"
        ) from error
    config_type = getattr(mining, "MineConfig", None) or getattr(mining, "MiningConfig")
    outcome = mining.mine(runtime.log, runtime.rewrites, config_type())
    summary = getattr(outcome, "summary", None)
    return summary() if callable(summary) else str(outcome)


def check_runtime(runtime: Any) -> None:
    """Fail early, with the reason, when the runtime lacks what a population run uses."""
    missing = [name for name in ("handle", "end_session", "reset_learning", "replace_home", "home")
               if not hasattr(runtime, name)]
    if missing:
        raise PopulationError("this runtime cannot run a population (missing: " + ", ".join(missing)
                              + "); it needs the learning extensions of assistant/runtime.py")


def run_population(
    runtime: PopulationRuntime,
    *,
    users: int,
    days: int,
    seed: int,
    arm: str,
    goals_per_day: int = 3,
    asr_config: AsrConfig | None = None,
    reaction_config: ReactionConfig | None = None,
    home_template: dict[str, Any] | None = None,
    miner: Miner | None = default_miner,
    progress: Progress | None = None,
    timer: Callable[[], float] = time.perf_counter,
    adversary: "AdversaryConfig | None" = None,
    phrasing: PhrasingMode | str = PhrasingMode.TEMPLATES,
    real: RealPhrasing | None = None,
    nightly: "NightlyLearning | None" = None,
    channel: Channel | None = None,
    without: Sequence[str] = (),
    shard: tuple[int, int] = (0, 1),
) -> RunReport:
    """Run ``users`` simulated users for ``days`` days in one arm and report what happened.

    ``home_template`` is the home every household starts from (a `Home.snapshot()`; default:
    the runtime's home as it is now). ``progress(done, total)`` is called after each user-day.
    ``adversary``: a share of the users attack the learning (simulator/population/adversary.py).
    ``phrasing``: what users say (real HWU64 sentences, templates, or a mix); ``real`` is the
    loaded corpus (default: read and checked here, before anything runs).
    ``nightly``: the self-learning job between days (an arm with ``nlu_learning`` needs one,
    `NightlyLearning(runtime, judge=...)`: its retrains are judged by the gate it is given;
    pass one across arms so that every arm starts from the same model and NLU accuracy is
    measured per day in every arm).
    ``channel``: how users are heard (`simulator.population.channel.make_channel`; default the
    confusion table with ``asr_config``).
    ``without``: learning layers switched off in this arm (names of `LAYERS`).
    ``shard``: (k, n) plays only the users k, k + n, k + 2n, ... of the population (an arm of `SHARDABLE`,
    whose users share nothing learnt: `merge_reports` puts the n shards' reports together again).
    """
    from assistant.home import Home

    if users < 1 or days < 1:
        raise PopulationError(f"need at least one user and one day (got users={users}, days={days})")
    check_runtime(runtime)
    flags = without_layers(arm_flags(arm), without)
    mode, real = resolve_phrasing(phrasing, real)
    asr: Channel = channel if channel is not None else AsrChannel(asr_config)
    config = reaction_config or ReactionConfig()
    template = home_template if home_template is not None else runtime.home.snapshot()
    index, count = shard
    if count > 1 and (arm not in SHARDABLE or adversary is not None or without):
        raise PopulationError(f"the {arm} arm's users learn from each other: it plays in one process")
    population = generate_population(users, seed, asr)[index::count]
    homes = {u.user_id: Home.from_snapshot(template) for u in population}
    voices = {u.user_id: make_voice(u.user_id, seed, mode, real) for u in population}
    hostile = None
    if adversary is not None:
        from simulator.population.adversary import Adversaries

        hostile = Adversaries(adversary, population, days=days, seed=seed, goals_per_day=goals_per_day)
        runtime = hostile.observe(runtime)
    start_date = homes[population[0].user_id].clock.now.date()
    lookup = getattr(runtime, "preference", None)
    original_home = runtime.home

    learns_nlu = bool(getattr(flags, "nlu_learning", False))
    if learns_nlu and nightly is None:
        nightly = _nightly_for(runtime)
    runtime.learning = flags
    runtime.reset_learning()
    if hasattr(runtime, "reset_user"):   # fresh conversations, also for users this process never met:
        for user in population:         # their bare id names what an earlier run left in the store
            runtime.reset_user(user.user_id)
    if getattr(runtime, "log", None) is not None:   # the log's ids start again: so does its truth
        truth_store.for_log(runtime.log).clear()
    report = RunReport(arm=arm, users=users, days=days, seed=seed, phrasing=mode.value, asr=asr.name,
                       layers_off=sorted(without))
    if nightly is not None:
        note = nightly.prepare()
        if note:
            report.notes.append(note)
        report.nlu_accuracy_by_day.append(nightly.nlu_accuracy())
    mine_failed = False
    started = timer()
    try:
        for day in range(days):
            for number, user in enumerate(population):
                runtime.replace_home(homes[user.user_id])
                _live_day(runtime, user, day, seed, start_date, goals_per_day, asr, config, lookup, report,
                          accept_defects=hostile is not None and hostile.accepts_defects(user.user_id),
                          voice=voices[user.user_id])
                runtime.end_session(user.user_id)
                if hostile is not None:
                    hostile.play_day(runtime, user, day)
                if progress is not None:
                    progress(day * len(population) + number + 1, days * len(population))
            if getattr(flags, "teachable", False) and day < days - 1:
                # At the day's end (the same in every shard: the log's own last turn is not).
                done = infer_from_activity(runtime, moment(start_date, day + 1, "00:00"))
                if isinstance(done, int):
                    report.inferred.append((len(report.notes), day, done))
                report.notes.append(f"day {day}: {inference_note(done)}")
            if miner is not None and uses_rewrites(flags) and not mine_failed and day < days - 1:
                try:
                    report.notes.append(f"day {day}: mined: {miner(runtime)}")
                    if hostile is not None:
                        hostile.after_mining(runtime)
                except PopulationError as error:
                    report.notes.append(str(error))
                    mine_failed = True
                except RuntimeError as error:  # MiningError: the table was left as it was
                    report.notes.append(f"day {day}: mining failed: {error}")
            if nightly is not None and day < days - 1:
                if learns_nlu:
                    night = nightly.night(day)
                    report.nights.append(night.to_json())
                    report.notes.append(f"night {day + 1}: {night.accepted} labels, {night.learned_examples} "
                                        f"learned examples, {'promoted' if night.promoted else night.reason} "
                                        f"({night.seconds:.0f} s)")
                report.nlu_accuracy_by_day.append(nightly.nlu_accuracy() if learns_nlu
                                                  else report.nlu_accuracy_by_day[-1])
    finally:
        report.seconds = timer() - started
        runtime.replace_home(original_home)
    report.rewrite_table = _rewrite_table(runtime)
    if learns_nlu and nightly is not None:
        report.label_figures = nightly.label_figures(days)
        report.learned_examples = nightly.learned_examples()
    if hostile is not None:
        report.adversaries = hostile.judge(report).to_json()
    return report


def learn_from_activity(runtime: PopulationRuntime, now: dt.datetime | None = None) -> str:
    """The teachable arms' nightly inference of preferences from what users chose themselves
    (`assistant.habits.implicit`: the genres and artists they played, the cities they asked
    about; a stated preference always wins) as of ``now`` (default: the log's last turn); a
    one-line summary."""
    return inference_note(infer_from_activity(runtime, now))


def inference_note(done: int | str) -> str:
    """The note of `infer_from_activity`'s outcome."""
    return done if isinstance(done, str) else f"inferred {done} preferences from activity"


def infer_from_activity(runtime: PopulationRuntime, now: dt.datetime | None = None) -> int | str:
    """`learn_from_activity`: how many preferences were stored, or why nothing could be inferred."""
    preferences = getattr(runtime, "preferences", None)
    log = getattr(runtime, "log", None)
    if preferences is None or log is None or not hasattr(runtime, "data"):
        return "no preference store: nothing inferred"
    from assistant.habits import implicit
    from assistant.habits.hook import habit_store

    now = now or max((turn.timestamp for turn in log.turns()), default=None)
    if now is None:
        return "an empty log: nothing inferred"
    report = implicit.infer(log, preferences, now, habits=habit_store(runtime))  # type: ignore[arg-type]
    return len(report.stored)


def _live_day(runtime: PopulationRuntime, user: SimUser, day: int, seed: int, start: dt.date,
              goals_per_day: int, asr: Channel, config: ReactionConfig, lookup: Any,
              report: RunReport, accept_defects: bool = False, voice: Voice | None = None) -> None:
    home = runtime.home
    agenda = daily_goals(user, day, seed, goals_per_day)
    for goal in agenda if voice is None else with_out_of_scope(agenda, user, day, seed, voice):
        when = moment(start, day, goal.time)
        if when > home.clock.now:
            home.advance((when - home.clock.now).total_seconds() / 60)
        for device_id, state in goal.setup.items():
            if device_id in home.devices:
                home.set_state(device_id, state)
        session = GoalSession(runtime, user, goal, day=day, seed=seed, asr=asr, config=config,
                              lookup=lookup, accept_defects=accept_defects, voice=voice)
        report.goals.append((day, session.play()))


def _nightly_for(runtime: PopulationRuntime) -> "NightlyLearning":
    from simulator.population.nightly import NightlyError, NightlyLearning

    try:
        return NightlyLearning(runtime)
    except NightlyError as error:
        raise PopulationError(str(error)) from error


def resolve_phrasing(phrasing: PhrasingMode | str, real: RealPhrasing | None) -> tuple[PhrasingMode, RealPhrasing | None]:
    """The phrasing mode and, unless templates only, the checked corpus (`PopulationError` when bad)."""
    try:
        mode = PhrasingMode(phrasing)
    except ValueError:
        raise PopulationError(f"unknown phrasing {phrasing!r}; choose one of "
                              + ", ".join(m.value for m in PhrasingMode)) from None
    if mode is PhrasingMode.TEMPLATES or real is not None:
        return mode, real
    try:
        return mode, load_phrasing()
    except (HwuDataError, MappingError) as error:
        raise PopulationError(str(error)) from error


def _rewrite_table(runtime: PopulationRuntime) -> dict[str, int]:
    """Wins and losses the rewrite table counted (empty when there is no table)."""
    store = getattr(runtime, "rewrites", None)
    if store is None or not hasattr(store, "all"):
        return {}
    wins = losses = active = retired = 0
    for rewrite in store.all():
        wins += int(getattr(rewrite, "wins", 0) or 0)
        losses += int(getattr(rewrite, "losses", 0) or 0)
        state = str(getattr(getattr(rewrite, "state", ""), "value", getattr(rewrite, "state", ""))).lower()
        active += state == "active"
        retired += state == "retired"
    return {"wins": wins, "losses": losses, "active": active, "retired": retired}
