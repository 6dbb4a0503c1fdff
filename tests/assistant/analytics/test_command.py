from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.learning.log import InteractionLog
from assistant.paths import DataDir
from lab.analytics.synthetic import SyntheticConfig, write
from tests.assistant.analytics.helpers import turn

KEYS = ("goal_success_accuracy", "goal_success_f1", "failure_point_accuracy", "failure_point_f1")


def _log(root: Path) -> InteractionLog:
    root.mkdir(parents=True, exist_ok=True)
    return InteractionLog.open(DataDir(root).learning_url)


def _analyze(root: Path, *extra: str) -> int:
    return main(["analyze", "--data-dir", str(root), "--similarity", "tokens", *extra])


def test_missing_log_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _analyze(tmp_path / "nowhere") == 1
    assert "no interaction log" in capsys.readouterr().err


def test_empty_log(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _log(tmp_path).close()
    out = tmp_path / "report.json"
    assert _analyze(tmp_path, "--json", str(out)) == 0
    assert "empty" in capsys.readouterr().out
    assert json.loads(out.read_text())["turns"] == 0


def test_one_turn_with_missing_fields(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant import shipped

    monkeypatch.setattr(shipped, "SHIPPED_DIR", tmp_path / "no-shipped-models")
    with _log(tmp_path) as log:
        log.record(turn(0, "", None, confidence=None))  # type: ignore[arg-type]
    out = tmp_path / "report.json"
    assert _analyze(tmp_path, "--json", str(out)) == 0
    report = json.loads(out.read_text())
    assert report["turns"] == 1 and report["goals"] == 1
    assert report["failure_point_method"] == "rules" and "no failure-point model" in report["failure_point_note"]
    assert not any(key in report for key in KEYS)        # no ground truth in this log


def test_train_then_evaluate_on_other_users(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    train, held_out = tmp_path / "train", tmp_path / "held"
    with _log(train) as log:
        write(log, 1, SyntheticConfig(users=6, days=1))
    with _log(held_out) as log:
        write(log, 2, SyntheticConfig(users=4, days=1))
    assert _analyze(train, "--train") == 0
    assert "trained on" in capsys.readouterr().out
    out, png = tmp_path / "held.json", tmp_path / "held.png"
    assert _analyze(held_out, "--model", str(train / "analytics"), "--json", str(out), "--plot", str(png)) == 0
    report = json.loads(out.read_text())
    assert all(key in report for key in KEYS)
    assert report["failure_point_method"] == "model"
    assert set(report["failure_point_f1"]) <= {"false_wake", "asr", "nlu", "entity_resolution", "result", "correct"}
    assert 0.5 < report["goal_success_accuracy"] <= 1.0
    assert report["goal_success_accuracy"] > report["baseline"]["goal_success_accuracy"]
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_model_from_another_version_falls_back_to_rules(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    with _log(tmp_path) as log:
        write(log, 3, SyntheticConfig(users=3, days=1))
    assert _analyze(tmp_path, "--train") == 0
    meta = tmp_path / "analytics" / "failure_point.json"
    meta.write_text(json.dumps({**json.loads(meta.read_text()), "sklearn_version": "0.0.1"}))
    capsys.readouterr()
    out = tmp_path / "report.json"
    assert _analyze(tmp_path, "--json", str(out)) == 0
    report = json.loads(out.read_text())
    assert report["failure_point_method"] == "rules"
    assert "0.0.1" in report["failure_point_note"] and "retrain" in report["failure_point_note"]
    printed = capsys.readouterr().out
    assert "warning: failure points from rules" in printed and "Traceback" not in printed


def test_train_without_truth_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with _log(tmp_path) as log:
        log.record(turn(0, "what time is it", "ask_time"))
    assert _analyze(tmp_path, "--train") == 1
    assert "needs ground truth" in capsys.readouterr().err


def test_train_on_other_folders(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first, second, target = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for root, seed in ((first, 4), (second, 5), (target, 6)):
        with _log(root) as log:
            write(log, seed, SyntheticConfig(users=3, days=1))
    out = tmp_path / "c.json"
    assert _analyze(target, "--train-on", str(first), str(second), "--json", str(out)) == 0
    assert "not trained on" in capsys.readouterr().out
    meta = json.loads((target / "analytics" / "failure_point.json").read_text())
    assert str(first) in meta["source"] and str(second) in meta["source"]
    assert json.loads(out.read_text())["failure_point_method"] == "model"
    assert _analyze(target, "--train-on", str(tmp_path / "missing")) == 1
    assert "no interaction log" in capsys.readouterr().err


def _trained_folder(root: Path) -> Path:
    with _log(root) as log:
        write(log, 3, SyntheticConfig(users=3, days=1))
    assert _analyze(root, "--train") == 0
    return root / "analytics"


@pytest.mark.parametrize("damage", ["garbage", "empty", "not_a_model", "bad_json"])
def test_corrupt_model_falls_back_to_rules_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                       damage: str) -> None:
    folder = _trained_folder(tmp_path)
    if damage == "garbage":
        (folder / "failure_point.joblib").write_bytes(b"\x80\x04not a pickle at all")
    elif damage == "empty":
        (folder / "failure_point.joblib").write_bytes(b"")
    elif damage == "not_a_model":
        import joblib

        joblib.dump({"a": 1}, folder / "failure_point.joblib")
    else:
        (folder / "failure_point.json").write_text("{not json")
    capsys.readouterr()
    out = tmp_path / "report.json"
    assert _analyze(tmp_path, "--json", str(out)) == 0
    report = json.loads(out.read_text())
    printed = capsys.readouterr()
    assert report["failure_point_method"] == "rules" and report["failure_point_model"] is None
    warnings = [line for line in printed.out.splitlines() if "warning: failure points from rules" in line]
    assert len(warnings) == 1 and "Traceback" not in printed.out + printed.err


def test_the_report_names_the_model_it_used(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _trained_folder(tmp_path)
    capsys.readouterr()
    out = tmp_path / "report.json"
    assert _analyze(tmp_path, "--json", str(out)) == 0
    report = json.loads(out.read_text())
    meta = json.loads((folder / "failure_point.json").read_text())
    assert report["failure_point_model"]["trained_at"] == meta["trained_at"]
    printed = capsys.readouterr().out.replace("\n", " ")
    assert "Failure points from the model trained on" in printed and "warning" not in printed


def test_a_log_without_truth_is_analysed_by_the_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _trained_folder(tmp_path / "train")
    target = tmp_path / "deployment"
    with _log(target) as log:
        records = [r for r in __import__("lab.analytics.synthetic", fromlist=["generate"]).generate(
            8, SyntheticConfig(users=2, days=1))]
        for record in records:
            record.truth = None
        log.record_many(records)
    out = tmp_path / "report.json"
    assert _analyze(target, "--model", str(folder), "--json", str(out)) == 0
    report = json.loads(out.read_text())
    assert report["failure_point_method"] == "model" and report["turns"] == len(records)
    assert not any(key in report for key in KEYS)


def test_the_truth_beside_the_log_reaches_the_report_only_through_the_command_line(tmp_path: Path) -> None:
    from assistant.analytics.command import run_analyze
    from assistant.cli.parser import build_parser

    with _log(tmp_path) as log:
        write(log, 3, SyntheticConfig(users=3, days=1))
    assert (tmp_path / "learning.truth.db").exists()          # the simulator's, beside the log
    alone, joined = tmp_path / "alone.json", tmp_path / "joined.json"
    args = build_parser().parse_args(["analyze", "--data-dir", str(tmp_path), "--similarity", "tokens",
                                      "--json", str(alone)])
    assert run_analyze(args) == 0                               # the product alone reads no truth
    assert not any(key in json.loads(alone.read_text()) for key in KEYS)
    assert _analyze(tmp_path, "--json", str(joined)) == 0       # the command line joins it on
    assert all(key in json.loads(joined.read_text()) for key in KEYS)


def test_an_older_log_with_a_truth_column_still_reports_against_it(tmp_path: Path) -> None:
    import sqlalchemy as sa

    from lab.analytics.synthetic import generate

    records = list(generate(3, SyntheticConfig(users=3, days=1)))
    with _log(tmp_path) as log:
        log.record_many(records)
    engine = sa.create_engine(DataDir(tmp_path).learning_url)
    with engine.begin() as conn:   # as an older version wrote it: the truth in the log's own column
        conn.execute(sa.text("ALTER TABLE turns ADD COLUMN truth TEXT"))
        conn.execute(sa.text("UPDATE turns SET truth = :t WHERE id = :i"),
                     [{"t": json.dumps(r.truth), "i": r.id} for r in records])
    engine.dispose()
    out = tmp_path / "report.json"
    assert _analyze(tmp_path, "--json", str(out)) == 0
    report = json.loads(out.read_text())
    assert report["turns"] == len(records) and all(key in report for key in KEYS)


# -- bad input on a learning assistant's log (issue 33) ------------------------------------

def test_a_log_mixing_rows_from_before_and_after_the_learning_columns_is_analysed(tmp_path: Path) -> None:
    import sqlalchemy as sa

    new = [turn(0, "it is too dark", "turn_on", confidence=0.5, reply="Should I turn on the light, or open the blinds?",
                explore_asked=["turn_on", "open_device"]),
           turn(9, "the first one", "turn_on", explore_choice="turn_on", directives=["turn_on kitchen_light"],
                evidence={"repaired": [{"kind": "device", "scope": "global"}]})]
    old = [turn(60, "play jazz", "play_media", directives=["play kitchen_speaker jazz"], user="bob"),
           turn(70, "thanks", "thank", user="bob")]
    with _log(tmp_path) as log:
        log.record_many(new + old)
    engine = sa.create_engine(DataDir(tmp_path).learning_url)
    with engine.begin() as conn:   # bob's rows as an older version wrote them: no learning columns filled
        conn.execute(sa.text("UPDATE turns SET explore_asked = NULL, explore_choice = NULL, evidence = NULL "
                             "WHERE user_id = 'bob'"))
    engine.dispose()
    out = tmp_path / "report.json"
    assert _analyze(tmp_path, "--json", str(out)) == 0
    report = json.loads(out.read_text())
    assert report["turns"] == 4 and report["users"] == 2
    assert report["goals"] == 2                      # the chosen reading is no goal of its own
    assert report["answers_to_assistant"] == 1       # bob's "thanks"


def test_a_log_of_only_answers_to_the_assistant_gives_a_clear_report(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    with _log(tmp_path) as log:
        log.record_many([turn(0, "yes", "affirm"), turn(8, "neither", "deny", explore_choice="neither"),
                         turn(400, "no thanks", "deny")])
    out = tmp_path / "report.json"
    assert _analyze(tmp_path, "--json", str(out)) == 0
    printed = capsys.readouterr().out
    report = json.loads(out.read_text())
    assert report["turns"] == 3 and report["goals_without_request"] == report["goals"] == 2
    assert "only answers" in printed and "Traceback" not in printed


def test_a_log_of_one_user_gives_a_clear_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with _log(tmp_path) as log:
        log.record_many([turn(0, "play my music", "play_media", reply="Which genre do you like? I can remember it.",
                              actions=["action_offer_teaching"], problems=["NOT_FOUND"]),
                         turn(9, "i like jazz", "state_preference", reply="Got it: you like jazz.")])
    out = tmp_path / "report.json"
    assert _analyze(tmp_path, "--json", str(out)) == 0
    report = json.loads(out.read_text())
    assert report["users"] == report["goals"] == 1 and report["goal_success_rate"] == 1.0
    assert "1 users" in capsys.readouterr().out
