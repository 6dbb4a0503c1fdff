from __future__ import annotations

from assistant.selflearn.candidates import Label, LabelKind, domain_intents
from assistant.selflearn.evaluate import poisoned, score
from tests.assistant.selflearn.helpers import log


def test_precision_recall_and_yield_against_the_truth() -> None:
    records = log()
    alice = [r for r in records if r.user_id == "alice"]
    labels = [Label(alice[0].id, "alice", alice[0].text, "turn_off", LabelKind.CORRECTION, 0.99, alice[1].id),
              Label(alice[2].id, "alice", alice[2].text, "play_media", LabelKind.SELF, 0.99, alice[2].id)]
    figures = score(labels, records, days=2, intents=domain_intents())
    assert figures["correction"] == {"accepted": 1, "correct": 1, "precision": 1.0, "recall": round(1 / 3, 4),
                                     "labelable": 3, "per_day": 0.5}
    assert figures["self"]["precision"] == 0.0 and figures["self"]["labelable"] == 9
    assert figures["all"]["precision"] == 0.5


def test_an_adversarys_wrong_label_is_counted() -> None:
    records = log()
    bob = [r for r in records if r.user_id == "bob"]
    labels = [Label(bob[2].id, "bob", bob[2].text, "unlock_device", LabelKind.SELF, 0.99, bob[2].id),
              Label(bob[3].id, "bob", bob[3].text, "play_media", LabelKind.SELF, 0.99, bob[3].id)]
    found = poisoned(labels, records, {"bob"})
    assert (found["adversary_labels"], found["adversary_labels_wrong"]) == (2, 1)
    assert found["wrong_examples"][0]["true"] == "start_coffee"
