"""The priors that rerank repair candidates: the context of the request, this user's own
history (personal prior) and everyone's record of the same repair (global prior).

Each prior has its own switch (`LearningFlags.personal_repair`, `global_repair`), so the
simulator's arms can tell them apart:
- global: any catalog or home name may be chosen; the record of the same heard words across
  users adds a little to a value that kept working and drops one that was retired;
- personal: a value in this user's history (their stated artists, genres, team, cuisine and
  home city, and the repairs that worked for them) is lifted; one this user's record retired
  is dropped. With the personal prior alone, only values of the user's history are candidates.
- context: the kinds the intent expects (the caller passes them), the speaking device's room
  for rooms, and the kinds of device in that room for devices.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Iterable, Mapping

from assistant.learning.rewrite_records import GLOBAL
from assistant.repair.outcome import Kind
from assistant.repair.scoring import Scored
from assistant.repair.store import RepairRecord
from assistant.text import plain


@dataclass(frozen=True)
class Bonuses:
    """What each prior adds to a candidate's score (0..1 scale)."""

    personal: float = 0.08      # a value of the user's own history
    global_record: float = 0.05  # times the win share of the same repair across users (>= 2 trials)
    room: float = 0.03          # the speaking device's room, and a device of that kind in it


@dataclass(frozen=True)
class History:
    """This user's own values by kind (plain words), from their preferences and the repairs
    that worked for them."""

    values: Mapping[Kind, frozenset[str]] = field(default_factory=dict)

    def has(self, kind: Kind, value: str) -> bool:
        mine = self.values.get(kind, frozenset())
        words = plain(value)
        return words in mine or (words.startswith("the ") and words[4:] in mine)

    @classmethod
    def of(cls, stated: Mapping[Kind, Iterable[str]], records: Iterable[RepairRecord] = ()) -> "History":
        """From the user's stated values by kind and their own repair records (a repair that
        won more than it lost is theirs too)."""
        values: dict[Kind, set[str]] = {kind: {plain(v) for v in vs if plain(v)} for kind, vs in stated.items()}
        for record in records:
            if record.user_id != GLOBAL and record.wins > record.losses:
                try:
                    values.setdefault(Kind(record.kind), set()).add(plain(record.value))
                except ValueError:
                    continue
        return cls({kind: frozenset(vs) for kind, vs in values.items()})


@dataclass(frozen=True)
class Priors:
    """The switches and what the priors know for one request."""

    global_on: bool
    personal_on: bool
    user_id: str
    history: History = History()
    records: tuple[RepairRecord, ...] = ()     # the same heard words' records (global and this user's)
    room: str | None = None                     # the speaking device's room
    nearby: frozenset[str] = frozenset()        # the device kinds in that room
    bonuses: Bonuses = Bonuses()

    def rerank(self, scored: list[Scored]) -> list[Scored]:
        """The candidates each prior allows, with what the priors add, best first."""
        mine = {r.value: r for r in self.records if r.user_id == self.user_id}
        everyone = {r.value: r for r in self.records if r.user_id == GLOBAL}
        kept: list[Scored] = []
        for s in scored:
            c = s.candidate
            own = self.personal_on and self.history.has(c.kind, c.value)
            if not self.global_on and not own:
                continue
            record, theirs = everyone.get(c.value), mine.get(c.value)
            if record is not None and not record.active:
                continue   # retired for everyone
            if self.personal_on and theirs is not None and not theirs.active:
                continue   # retired for this user
            bonus = self.bonuses.personal if own else 0.0
            if self.global_on and record is not None and record.wins + record.losses >= 2:
                bonus += self.bonuses.global_record * record.wins / (record.wins + record.losses)
            if (c.kind is Kind.ROOM and c.value == self.room) or (c.kind is Kind.DEVICE and c.value in self.nearby):
                bonus += self.bonuses.room
            kept.append(replace(s, bonus=s.bonus + bonus) if bonus else s)
        kept.sort(key=lambda x: x.score, reverse=True)
        return kept

    def personal_bonus(self, s: Scored) -> float:
        """What the personal prior added to this candidate."""
        return self.bonuses.personal if self.personal_on and self.history.has(s.candidate.kind, s.candidate.value) \
            else 0.0
