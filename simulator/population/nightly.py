"""The nightly self-learning job of a population run, and what it is scored on.

Between simulated days of an arm with ``nlu_learning`` on, the job does what an offline
nightly job of a deployment would: it labels the interaction log (`assistant.selflearn.night`,
the log alone), merges the labels into the data folder's learned file, and retrains behind the
gate (`assistant.modelstore.retrain`, judged by the judge the job is given: the CLI passes the
lab's gate, `lab.evaluation.gate.judge_candidate`); a promoted model serves from the next
simulated day.

Every arm starts from the same model, trained on `stories/` alone: the first arm keeps a copy
of it, a later arm gets it back. After the run the data folder's model is the last promoted one
(so `assistant eval-nlu --data-dir` scores what the run learned).

Scoring (the simulator's side, never read by the learner): NLU intent accuracy on the held-out
tenth of HWU64 that no simulated user speaks, measured on the model that serves each day, and
the precision and recall of the learned file's labels against the truth.
"""

from __future__ import annotations

import copy
import os
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from assistant.modelstore.retrain import Judge

from simulator import truth_store

Say = Callable[[str], None]


class NightlyError(RuntimeError):
    """Nightly learning cannot run on this runtime (say why)."""


@dataclass
class Night:
    """One night's job."""

    day: int
    turns: int
    accepted: int
    learned_examples: int
    new: int
    retrained: bool
    promoted: bool
    reason: str
    seconds: float
    label_seconds: float
    retrain_seconds: float | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class NightlyLearning:
    """The nightly job for one runtime across the arms of a run (keeps the base model)."""

    def __init__(self, runtime: Any, *, judge: "Judge | None" = None, say: Say | None = None,
                 held_out: list[tuple[str, str]] | None = None):
        data = getattr(runtime, "data", None)
        if data is None or Path(runtime.model_path).resolve() != Path(data.model_file).resolve():
            raise NightlyError("nightly learning needs a runtime serving its data folder's own model "
                               "(start it with `assistant --data-dir DIR simulate ...`)")
        if judge is None:
            raise NightlyError("nightly learning needs a judge for the retrain's gate (`assistant simulate` "
                               "gives the lab's, lab.evaluation.gate.judge_candidate)")
        self.runtime = runtime
        self.judge = judge
        self.data = data
        self.say = say or (lambda _line: None)
        self.base = data.models / ".simulation-base.tar.gz"
        self._held_out = held_out
        self._models: tuple[Any, Any, list[str]] | None = None
        self._changed = False        # the serving model is not the base
        self._base_accuracy: float | None = None   # the base model's held-out accuracy, once measured
        self.last_labels: list[Any] | None = None     # the last night's accepted labels (scored by the simulator)
        self.last_records: list[Any] = []

    # -- the base model ------------------------------------------------------------

    def prepare(self) -> str | None:
        """Give the next arm the base model (stories/ alone) and an empty learned file."""
        from assistant import training
        from assistant.selflearn import learned as lf

        note = None
        if not self.base.exists():
            if _has_examples(self.data.learned_nlu):
                kept = lf.back_up(self.data.learned_nlu)
                note = f"the data folder's learned file was kept as {kept.name}; the model retrained without it"
                self.say("training the base model on stories/ alone")
                training.train(self.data, force=True)
                self._changed = True
            shutil.copy(self.data.model_file, self.base)
        elif self._changed or _has_examples(self.data.learned_nlu):
            self.data.learned_nlu.unlink(missing_ok=True)
            staging = self.base.with_name(".simulation-restore.tar.gz")
            shutil.copy(self.base, staging)
            os.replace(staging, self.data.model_file)
            training.write_fingerprint(self.data, training.fingerprint(data=self.data))
        if self._changed or note:
            self.runtime.reload_if_replaced()
        self._changed = False
        return note

    def discard_base(self) -> None:
        self.base.unlink(missing_ok=True)

    # -- one night -----------------------------------------------------------------

    def night(self, day: int) -> Night:
        """Label the log, merge, retrain behind the gate; the promoted model serves tomorrow."""
        from assistant.modelstore import retrain
        from assistant.selflearn import night as job
        from assistant.similarity import segment_similarity

        started = time.perf_counter()
        assert self.runtime.log is not None
        records = list(self.runtime.log.turns())
        if self._models is None:
            self._models = job.load_models(self.data)
        self.say(f"night {day + 1}: labelling {len(records)} turns")
        learned = job.learn(records, self.data, similarity=segment_similarity, models=self._models)
        label_seconds = time.perf_counter() - started
        self.last_labels = learned.labels
        self.last_records = records
        base: dict[str, Any] = dict(day=day, turns=len(records), accepted=len(learned.labels),
                    learned_examples=len(learned.examples), new=len(learned.added), label_seconds=round(label_seconds, 1))
        if not learned.changed:
            return Night(**base, retrained=False, promoted=False, reason="nothing new was learned",
                         seconds=round(time.perf_counter() - started, 1))
        self.say(f"night {day + 1}: retraining on {len(learned.examples)} learned examples behind the gate")
        try:
            outcome = retrain.retrain(self.data, judge=self.judge, say=self.say)
        except (retrain.LearnedFileError, RuntimeError) as error:   # TrainingError is a RuntimeError
            return Night(**base, retrained=False, promoted=False, reason=f"retrain failed: {error}",
                         seconds=round(time.perf_counter() - started, 1))
        if outcome.promoted:
            self._changed = True
            self.runtime.reload_if_replaced()
        return Night(**base, retrained=True, promoted=outcome.promoted,
                     reason="; ".join(outcome.reasons) or "passed the gate",
                     seconds=round(time.perf_counter() - started, 1), retrain_seconds=round(outcome.seconds, 1))

    # -- scoring (truth: the simulator's side only) --------------------------------

    def held_out(self) -> list[tuple[str, str]]:
        if self._held_out is None:
            from simulator.population.real_phrasing import held_out_examples

            self._held_out = [(h.text, h.expected_intent) for h in held_out_examples() if h.expected_intent and h.text]
        return self._held_out

    def nlu_accuracy(self) -> float | None:
        """Intent accuracy of the serving model on the held-out HWU64 rows (the base model's is
        measured once: every arm starts from it)."""
        if not self._changed and self._base_accuracy is not None:
            return self._base_accuracy
        rows = self.held_out()
        if not rows or self.runtime.agent is None:
            return None
        right = 0
        for text, intent in rows:
            parsed = self.runtime.parse(text)
            right += (parsed.get("intent") or {}).get("name") == intent
        accuracy = round(right / len(rows), 4)
        if not self._changed:
            self._base_accuracy = accuracy
        return accuracy

    def learned_examples(self) -> int:
        from assistant.selflearn import learned as lf

        try:
            return len(lf.read(self.data.learned_nlu))
        except lf.LearnedFileError:
            return 0

    def label_figures(self, days: int) -> dict[str, Any]:
        """Precision and recall of the learned file's labels against the truth of the log."""
        from assistant.selflearn import learned as lf
        from assistant.selflearn.evaluate import score

        labels = self.last_labels
        if labels is None:
            return {}
        try:
            kept_turns = {t for e in lf.read(self.data.learned_nlu) for t in e.turns}
        except lf.LearnedFileError:
            kept_turns = set()
        kept = [lb for lb in labels if lb.turn_id in kept_turns]
        # The truth is joined on here, onto copies: the records the learner read stay without it.
        records = [copy.copy(r) for r in self.last_records]
        if self.runtime.log is not None:
            records = truth_store.attach(self.runtime.log, records)
        return score(kept, records, days)["all"]


def _has_examples(path: Path) -> bool:
    from assistant.selflearn import learned as lf

    try:
        return bool(lf.read(path))
    except lf.LearnedFileError:
        return path.exists()
