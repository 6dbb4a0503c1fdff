"""Which learning mechanisms are on: the simulator's arms, sent with every message."""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class LearningFlags:
    """What the assistant may learn from and apply. Travels in the message metadata as
    ``{"learning": {...}}``; the QueryRewriter and the teachable-moment policy read it."""

    teachable: bool = True      # teachable moments, the user's corrections
    precomputed: bool = True    # mined rewrite pairs
    global_: bool = True        # global layer (mined pairs and retrieval)
    personal: bool = True       # personal layer (mined pairs and retrieval)
    explore: bool = True        # ask which reading was meant when the NLU is torn between two
    nlu_learning: bool = True   # label the log and retrain the NLU behind the gate (nightly)

    def to_metadata(self) -> dict[str, Any]:
        return {"teachable": self.teachable, "precomputed": self.precomputed,
                "global": self.global_, "personal": self.personal,
                "explore": self.explore, "nlu_learning": self.nlu_learning}

    @classmethod
    def from_metadata(cls, metadata: dict[str, Any] | None) -> "LearningFlags":
        learning = (metadata or {}).get("learning") or {}
        return cls(teachable=learning.get("teachable", True) is not False,
                   precomputed=learning.get("precomputed", True) is not False,
                   global_=learning.get("global", True) is not False,
                   personal=learning.get("personal", True) is not False,
                   explore=learning.get("explore", True) is not False,
                   nlu_learning=learning.get("nlu_learning", True) is not False)

    @property
    def rewrites(self) -> bool:
        return self.global_ or self.personal

    def as_dict(self) -> dict[str, bool]:
        return asdict(self)


class Arm(str, enum.Enum):
    """A simulation arm: the same users and noise, different learning switched on."""

    BASELINE = "baseline"     # no learning
    TEACHABLE = "teachable"   # teachable moments and preferences only
    GLOBAL = "global"         # global rewrites (mined pairs + retrieval)
    PERSONAL = "personal"     # global and personal rewrites
    SELFLEARN = "selflearn"   # self-labelled NLU examples, exploration, nightly retrain behind the gate
    FULL = "full"             # everything

    @property
    def flags(self) -> LearningFlags:
        return {
            Arm.BASELINE: LearningFlags(teachable=False, precomputed=False, global_=False, personal=False,
                                        explore=False, nlu_learning=False),
            Arm.TEACHABLE: LearningFlags(teachable=True, precomputed=False, global_=False, personal=False,
                                         explore=False, nlu_learning=False),
            Arm.GLOBAL: LearningFlags(teachable=False, precomputed=True, global_=True, personal=False,
                                      explore=False, nlu_learning=False),
            Arm.PERSONAL: LearningFlags(teachable=False, precomputed=True, global_=True, personal=True,
                                        explore=False, nlu_learning=False),
            Arm.SELFLEARN: LearningFlags(teachable=False, precomputed=False, global_=False, personal=False,
                                         explore=True, nlu_learning=True),
            Arm.FULL: LearningFlags(),
        }[self]
