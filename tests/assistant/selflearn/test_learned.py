from __future__ import annotations

from pathlib import Path

import pytest

from assistant.selflearn import learned as lf
from assistant.selflearn.candidates import Label, LabelKind

NOW = "2026-01-05T08:00:00+00:00"


def label(turn: int, user: str, text: str, intent: str = "turn_off", confidence: float = 0.97,
          entities: tuple = ()) -> Label:
    return Label(turn, user, text, intent, LabelKind.CORRECTION, confidence, turn + 1, entities)


def test_duplicates_merge_with_their_provenance_and_low_confidence_stays_out() -> None:
    merged = lf.merge([], [label(1, "alice", "lights of please"), label(7, "bob", "Lights  of please", confidence=0.99),
                           label(9, "carol", "lights of now", confidence=0.5)],
                      guards=lf.Guards(min_confidence=0.9, max_user_share=1.0), now=NOW)
    assert [(e.text, e.turns, e.users, e.confidence) for e in merged.examples] == [
        ("lights of please", {1, 7}, {"alice", "bob"}, 0.99)]
    assert merged.dropped["below the confidence threshold"] == 1


def test_no_user_teaches_more_than_their_share_of_an_intent() -> None:
    mallory = [label(i, "mallory", f"unlock words number {i}", "unlock_device") for i in range(10)]
    others = [label(100 + i, f"user{i}", f"unlock the door {i}", "unlock_device") for i in range(10)]
    merged = lf.merge([], mallory + others, guards=lf.Guards(max_user_share=0.2, min_per_user=2), now=NOW)
    backed = [e for e in merged.examples if "mallory" in e.users]
    assert len(backed) == int(0.2 * 20)
    assert len(merged.examples) == 10 + 4
    assert merged.dropped["its users already taught this intent their share"] == 6


def test_forgotten_users_leave_nothing_and_texts_are_cleaned_and_entities_only_where_they_occur() -> None:
    existing = [lf.Example("turn_off", "lights off", users={"alice"}, turns={3}, confidence=0.95)]
    merged = lf.merge(existing, [label(5, "alice", "lights off now"),
                                 label(6, "bob", "[turn] off\x00 the {kitchen} lights",
                                       entities=(("room", "kitchen", 13, 20), ("device", "oven", 0, 4)))],
                      forgotten={"alice"}, guards=lf.Guards(max_user_share=1.0), now=NOW)
    assert [(e.text, e.users) for e in merged.examples] == [("turn off the kitchen lights", {"bob"})]
    assert merged.examples[0].entities == [("room", "kitchen", 13, 20)]
    assert merged.examples[0].markup() == "turn off the [kitchen](room) lights"


def test_a_text_two_intents_claim_keeps_the_better_backed_one_and_committed_texts_stay_out() -> None:
    merged = lf.merge([], [label(1, "a", "lights off", "turn_on"), label(2, "b", "lights off", "turn_off"),
                           label(3, "c", "lights off", "turn_off"), label(4, "d", "good morning", "greet")],
                      committed={"good morning": "greet"}, guards=lf.Guards(max_user_share=1.0), now=NOW)
    assert [(e.text, e.intent) for e in merged.examples] == [("lights off", "turn_off")]
    assert merged.dropped["already in the committed data"] == 1


def test_the_file_round_trips_with_provenance_and_a_hand_edit_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "learned" / "nlu.yml"
    merged = lf.merge([], [label(1, "alice", "lights of in the kitchen", entities=(("room", "kitchen", 16, 23),)),
                           label(2, "bob", "play norah jones", "play_media",
                                 entities=(("artist", "Norah Jones", 5, 16),))],
                      guards=lf.Guards(max_user_share=1.0), now=NOW)
    lf.write(path, merged.examples)
    text = path.read_text()
    assert 'version: \'3.1\'' in text and "[kitchen](room)" in text and '"value": "Norah Jones"' in text
    path.write_text(text + "- intent: greet\n  examples: |\n    - hiya there\n")
    again = lf.read(path)
    assert {(e.intent, e.text, tuple(sorted(e.users)), e.by_hand) for e in again} == {
        ("turn_off", "lights of in the kitchen", ("alice",), False),
        ("play_media", "play norah jones", ("bob",), False), ("greet", "hiya there", (), True)}
    assert next(e for e in again if e.intent == "play_media").entities == [("artist", "Norah Jones", 5, 16)]


@pytest.mark.parametrize("content", ["nlu: [unclosed\n", "- just a list\n", "nlu:\n- examples: []\n"])
def test_an_unreadable_learned_file_is_named_and_can_be_kept_aside(tmp_path: Path, content: str) -> None:
    path = tmp_path / "nlu.yml"
    path.write_text(content)
    with pytest.raises(lf.LearnedFileError, match="nlu.yml"):
        lf.read(path)
    kept = lf.back_up(path)
    assert kept.read_text() == content and not path.exists()


def test_rasa_reads_and_validates_the_merged_data(tmp_path: Path) -> None:
    """Rasa's own importer and Validator (what `rasa data validate` runs) on stories/ + a learned file."""
    from rasa.shared.importers.importer import TrainingDataImporter
    from rasa.validator import Validator

    from assistant.paths import PROJECT_ROOT

    path = tmp_path / "learned" / "nlu.yml"
    merged = lf.merge([], [label(1, "alice", "switch of the kitchen lamp", entities=(("room", "kitchen", 14, 21),)),
                           label(2, "bob", "put on sum jazz", "play_media", entities=(("genre", "jazz", 11, 15),))],
                      guards=lf.Guards(max_user_share=1.0),
                      committed=lf.committed_texts(PROJECT_ROOT / "stories" / "nlu"),
                      now=NOW)
    lf.write(path, merged.examples)
    importer = TrainingDataImporter.load_from_config(
        str(PROJECT_ROOT / "config.yml"), str(PROJECT_ROOT / "domain"),
        [str(PROJECT_ROOT / "stories"), str(path)])
    nlu = importer.get_nlu_data()
    wanted = {"switch of the kitchen lamp", "put on sum jazz"}
    mine = {m.get("text"): m for m in nlu.intent_examples if m.get("text") in wanted}
    assert mine["switch of the kitchen lamp"].get("intent") == "turn_off"
    assert [(e["entity"], e["value"]) for e in mine["put on sum jazz"].get("entities")] == [("genre", "jazz")]
    assert mine["put on sum jazz"].get("metadata")["example"]["learned"]["users"] == ["bob"]
    validator = Validator.from_importer(importer)
    assert validator.verify_nlu(ignore_warnings=False)
    assert validator.verify_domain_validity()
    # ... and the same check refuses what it should: an intent the domain lacks.
    bad = tmp_path / "bad" / "nlu.yml"
    lf.write(bad, [lf.Example("make_toast", "make me toast", users={"eve"}, turns={9}, confidence=0.99)])
    refused = Validator.from_importer(TrainingDataImporter.load_from_config(
        str(PROJECT_ROOT / "config.yml"), str(PROJECT_ROOT / "domain"), [str(PROJECT_ROOT / "stories"), str(bad)]))
    assert not refused.verify_nlu(ignore_warnings=False)
