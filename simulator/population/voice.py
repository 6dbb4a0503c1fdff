"""A simulated person's way of talking: real HWU64 sentences they reuse, or the team's templates.

At creation each person takes a small personal set of real sentences per goal kind and reaches
for them again and again (the first most often), as people do, so personal learning has
something to learn. After a failure they rephrase: another real sentence of the kind, or the
simpler template form (the session decides between them and a repeat or giving up). With
``--phrasing mixed`` each person speaks real sentences for a share of their goals.
"""

from __future__ import annotations

import enum
import random
import re
from dataclasses import dataclass, field

from simulator.population.goals import Goal, GoalKind
from simulator.population.hwu64 import HwuRow, to_speech
from simulator.population.hwu_mapping import ReactionKind
from simulator.population.real_phrasing import RealPhrasing, render

PERSONAL_SET = (2, 4)     # real sentences a person keeps per goal kind (fewest, most)
HABITUAL = 0.6            # chance a goal opens with the person's first, habitual sentence
NOVEL = 0.1               # chance a goal opens with a sentence outside the personal set
REAL_REPHRASE = 0.5       # after a failure: another real sentence rather than a template
MIXED_SHARE = (0.2, 0.8)  # range of a person's real share with --phrasing mixed


class PhrasingMode(str, enum.Enum):
    """What simulated users say: real people's requests, the team's templates, or a mix."""

    REAL = "real"
    TEMPLATES = "templates"
    MIXED = "mixed"


@dataclass(frozen=True)
class Utterance:
    """What a user says, and the HWU64 row it comes from (None: a template)."""

    text: str
    row_id: int | None = None


@dataclass(frozen=True)
class Voice:
    """One person's phrasing.

    Attributes:
        user_id: whose voice.
        seed: the run's seed (every choice is drawn from generators keyed on it).
        share: the chance a goal is said in real phrasing (1 real, 0 templates).
        phrasing: the speakable rows (None with templates only).
        personal: the person's own real sentences per goal kind, habitual first.
    """

    user_id: str
    seed: int
    share: float
    phrasing: RealPhrasing | None = None
    personal: dict[GoalKind, tuple[HwuRow, ...]] = field(default_factory=dict)

    def speaks_real(self, goal: Goal) -> bool:
        """Whether this goal is said in real phrasing (fixed per goal)."""
        if self.phrasing is None or self.share <= 0.0:
            return False
        return self.share >= 1.0 or random.Random(f"mix:{self.seed}:{goal.goal_id}").random() < self.share

    def first(self, goal: Goal) -> Utterance | None:
        """The goal's opening sentence from the person's own set (or the pool); None: no row fits."""
        if self.phrasing is None:
            return None
        rng = random.Random(f"first:{self.seed}:{goal.goal_id}")
        own = self.phrasing.fitting(goal, self.personal.get(goal.kind, ()))
        if own and rng.random() >= NOVEL:
            row, spec = own[0] if rng.random() < HABITUAL else rng.choice(own)
        else:
            pool = self.phrasing.fitting(goal)
            if not pool:
                return None
            row, spec = rng.choice(pool)
        return Utterance(render(row, spec, goal), row.id)

    def rephrases_real(self, goal: Goal, attempt: int) -> bool:
        """After a failure: another real sentence (True) or the simpler template form (False)."""
        return random.Random(f"rephrase:{self.seed}:{goal.goal_id}:{attempt}").random() < REAL_REPHRASE

    def another(self, goal: Goal, attempt: int, used: set[int]) -> Utterance | None:
        """A real sentence of the goal's kind not said yet for this goal (own set first)."""
        if self.phrasing is None:
            return None
        rng = random.Random(f"another:{self.seed}:{goal.goal_id}:{attempt}")
        if goal.kind is GoalKind.OUT_OF_SCOPE:
            rows = [r for r in self.phrasing.out_of_scope
                    if r.intent == goal.slots.get("hwu64_intent") and r.id not in used]
            if not rows:
                return None
            row = rng.choice(rows)
            return Utterance(to_speech(row.sentence), row.id)
        own = [(r, s) for r, s in self.phrasing.fitting(goal, self.personal.get(goal.kind, ())) if r.id not in used]
        fresh = own or [(r, s) for r, s in self.phrasing.fitting(goal) if r.id not in used]
        if not fresh:
            return None
        row, spec = rng.choice(fresh)
        return Utterance(render(row, spec, goal), row.id)

    def statement(self, key: str, spoken: str, tag: str) -> Utterance | None:
        """A real way of saying "I like <spoken>" for a preference key (HWU64's music-likeness
        rows, with the person's value in the span), or None: no row says that kind of taste."""
        from simulator.population.goals import Outcome

        if self.phrasing is None or self.share <= 0.0:
            return None
        goal = Goal(goal_id=tag, kind=GoalKind.STATE_PREFERENCE, intent="state_preference", device_id="",
                    time="", phrasings=(), outcome=Outcome(), slots={"key": key, "value": spoken})
        fitting = self.phrasing.fitting(goal)
        if not fitting:
            return None
        row, spec = random.Random(f"statement:{self.seed}:{self.user_id}:{tag}").choice(fitting)
        return Utterance(render(row, spec, goal), row.id)

    def reaction(self, kind: ReactionKind, tag: str, unfit: re.Pattern[str] | None = None) -> Utterance | None:
        """A real way of saying a reaction ("that's not what i asked for"), or None: the template.
        ``unfit``: rows it matches don't fit the question answered, and are never said."""
        if self.phrasing is None or self.share <= 0.0:
            return None
        rng = random.Random(f"reaction:{self.seed}:{self.user_id}:{tag}")
        if rng.random() >= self.share:
            return None
        rows = [r for r in self.phrasing.reactions.get(kind, ())
                if to_speech(r.sentence) and not (unfit is not None and unfit.search(r.sentence.lower()))]
        if not rows:
            return None
        row = rng.choice(rows)
        return Utterance(to_speech(row.sentence), row.id)


def make_voice(user_id: str, seed: int, mode: PhrasingMode, phrasing: RealPhrasing | None) -> Voice:
    """A person's voice in ``mode``; the personal sets are drawn from (seed, user) only."""
    if mode is PhrasingMode.TEMPLATES or phrasing is None:
        return Voice(user_id, seed, 0.0)
    rng = random.Random(f"voice:{seed}:{user_id}")
    share = 1.0 if mode is PhrasingMode.REAL else round(rng.uniform(*MIXED_SHARE), 2)
    personal: dict[GoalKind, tuple[HwuRow, ...]] = {}
    for kind in sorted(phrasing.by_kind, key=lambda k: k.value):
        pool = phrasing.by_kind[kind]
        count = min(len(pool), rng.randint(*PERSONAL_SET))
        personal[kind] = tuple(rng.sample(pool, count))
    return Voice(user_id, seed, share, phrasing, personal)
