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
    phrase_rules: bool = True   # phrase rules mined across people ("maj and dragons" -> "imagine dragons")
    global_repair: bool = True  # entity repair against the catalogs and the home's names, global prior
    personal_repair: bool = True  # entity repair with this user's own history as the prior
    personal_phrase_rules: bool = True  # a user's own phrase rules ("coughy" -> "coffee"), with `personal`

    def to_metadata(self) -> dict[str, Any]:
        return {"teachable": self.teachable, "precomputed": self.precomputed,
                "global": self.global_, "personal": self.personal,
                "explore": self.explore, "nlu_learning": self.nlu_learning,
                "phrase_rules": self.phrase_rules, "global_repair": self.global_repair,
                "personal_repair": self.personal_repair, "personal_phrase_rules": self.personal_phrase_rules}

    @classmethod
    def from_metadata(cls, metadata: dict[str, Any] | None) -> "LearningFlags":
        learning = (metadata or {}).get("learning") or {}
        return cls(teachable=learning.get("teachable", True) is not False,
                   precomputed=learning.get("precomputed", True) is not False,
                   global_=learning.get("global", True) is not False,
                   personal=learning.get("personal", True) is not False,
                   explore=learning.get("explore", True) is not False,
                   nlu_learning=learning.get("nlu_learning", True) is not False,
                   phrase_rules=learning.get("phrase_rules", True) is not False,
                   global_repair=learning.get("global_repair", True) is not False,
                   personal_repair=learning.get("personal_repair", True) is not False,
                   personal_phrase_rules=learning.get("personal_phrase_rules", True) is not False)

    @property
    def rewrites(self) -> bool:
        return self.global_ or self.personal

    def as_dict(self) -> dict[str, bool]:
        return asdict(self)


_NO_REPAIR = {"phrase_rules": False, "global_repair": False, "personal_repair": False,
              "personal_phrase_rules": False}


class Arm(str, enum.Enum):
    """A simulation arm: the same users and noise, different learning switched on."""

    BASELINE = "baseline"     # no learning
    TEACHABLE = "teachable"   # teachable moments and preferences only
    GLOBAL = "global"         # global rewrites (mined pairs + retrieval), phrase rules, global entity repair
    PERSONAL = "personal"     # the global layer, and personal rewrites, phrase rules and entity repair
    SELFLEARN = "selflearn"   # self-labelled NLU examples, exploration, nightly retrain behind the gate
    FULL = "full"             # everything

    @property
    def flags(self) -> LearningFlags:
        return {
            Arm.BASELINE: LearningFlags(teachable=False, precomputed=False, global_=False, personal=False,
                                        explore=False, nlu_learning=False, **_NO_REPAIR),
            Arm.TEACHABLE: LearningFlags(teachable=True, precomputed=False, global_=False, personal=False,
                                         explore=False, nlu_learning=False, **_NO_REPAIR),
            Arm.GLOBAL: LearningFlags(teachable=False, precomputed=True, global_=True, personal=False,
                                      explore=False, nlu_learning=False, personal_repair=False,
                                      personal_phrase_rules=False),
            Arm.PERSONAL: LearningFlags(teachable=False, precomputed=True, global_=True, personal=True,
                                        explore=False, nlu_learning=False),
            Arm.SELFLEARN: LearningFlags(teachable=False, precomputed=False, global_=False, personal=False,
                                         explore=True, nlu_learning=True, **_NO_REPAIR),
            Arm.FULL: LearningFlags(),
        }[self]
