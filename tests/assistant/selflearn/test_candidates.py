from __future__ import annotations

from assistant.selflearn import baseline
from assistant.selflearn import candidates as cd
from assistant.selflearn.pipeline import propose, score
from tests.assistant.selflearn.helpers import log, turn, without_truth


def test_a_failed_turn_takes_the_label_of_the_turn_of_its_goal_that_worked() -> None:
    found = propose(log()).candidates
    corrections = [c for c in found if c.kind is cd.LabelKind.CORRECTION]
    assert [(c.text, c.intent, c.user_id) for c in corrections] == [
        ("turn of the kitchen likes", "turn_off", u) for u in ("alice", "bob", "carol")]
    assert corrections[0].entities == [{"entity": "room", "value": "kitchen", "start": 12, "end": 19}]
    assert corrections[0].source.text == "turn off the kitchen lights"


def test_confident_successes_label_themselves_and_a_turn_with_a_signal_does_not() -> None:
    found = propose(log()).candidates
    selves = {(c.text, c.intent) for c in found if c.kind is cd.LabelKind.SELF}
    assert selves == {("turn off the kitchen lights", "turn_off"), ("coffee machine on right now", "start_coffee"),
                      ("put on a bit of jazz", "play_media")}
    assert not any(c.kind is cd.LabelKind.SELF and c.turn.feedback for c in found)


def test_labels_come_from_the_log_alone_the_same_log_without_truth_gives_the_same_labels() -> None:
    records = log()
    with_truth = score(propose(records), None).labels
    blind = score(propose(without_truth(records)), None).labels
    assert with_truth == blind and with_truth
    assert baseline.labels(records) == baseline.labels(without_truth(records))


def test_the_model_scores_the_same_without_truth(tmp_path) -> None:
    from assistant.selflearn.model import LabelModel

    records = log()
    proposal = propose(records)
    right = [c.intent != "start_coffee" for c in proposal.candidates]   # any target with two classes
    model = LabelModel.fit(proposal.rows, right, [c.user_id for c in proposal.candidates], folds=2)
    assert model.scores(proposal.rows) == model.scores(propose(without_truth(records)).rows)


def test_the_baseline_copies_the_next_successful_turns_intent() -> None:
    records = [turn(0, "lights of", "nlu_fallback", feedback={"repeat": True}),
               turn(10, "lights off", "turn_off")]
    for i, record in enumerate(records, start=1):
        record.id = i
    labels = baseline.labels(records)
    assert [(lb.text, lb.intent, lb.kind.value) for lb in labels] == [
        ("lights of", "turn_off", "correction"), ("lights off", "turn_off", "self")]


def test_a_goal_that_never_succeeded_gives_no_correction() -> None:
    records = [turn(0, "lights of", "nlu_fallback", feedback={"repeat": True}, confidence=0.4),
               turn(10, "lights of", "nlu_fallback", feedback={"give_up": True}, confidence=0.4)]
    for i, record in enumerate(records, start=1):
        record.id = i
    assert propose(records).candidates == []


def test_a_success_nlu_was_unsure_of_is_no_self_label() -> None:
    records = log()
    coffee = next(r for r in records if r.intent == "start_coffee")
    coffee.confidence = 0.45
    class Sure:   # a label model that accepts everything: only the guard can refuse
        def scores(self, rows):
            return [1.0] * len(rows)

        def threshold(self, kind):
            return 0.5

    labels = score(propose(records), Sure()).labels
    assert coffee.id not in {lb.turn_id for lb in labels}
    assert any(lb.intent == "play_media" for lb in labels)
