from __future__ import annotations

import argparse
import json
from pathlib import Path

from assistant.learning.log import InteractionLog
from assistant.paths import DataDir
from assistant.selflearn import learned as lf
from assistant.selflearn.command import run_learn_nlu
from tests.assistant.selflearn.helpers import log


def args(data: Path, **extra) -> argparse.Namespace:
    values = {"data_dir": data, "verbose": False, "dry_run": False, "json": str(data / "out.json"),
              "min_confidence": None, "max_user_share": 1.0, "similarity": "tokens", "limit": 30,
              "no_retrain": True}
    return argparse.Namespace(**{**values, **extra})


def logged(tmp_path: Path, records=None) -> Path:
    with InteractionLog.open(DataDir(tmp_path).learning_db) as store:
        if records:
            store.record_many(records)
    return tmp_path


def report(data: Path) -> dict:
    return json.loads((data / "out.json").read_text())


def test_a_dry_run_shows_the_labels_and_writes_nothing(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    data = logged(tmp_path, log())
    assert run_learn_nlu(args(data, dry_run=True)) == 0
    out = capsys.readouterr().out
    assert "coffee machine on right now" in out and "nothing written (dry run)" in out and "Nothing was retrained: dry run" in out
    assert not DataDir(data).learned_nlu.exists()
    labels = {(lb["text"], lb["intent"]) for lb in report(data)["labels"]}
    assert ("coffee machine on right now", "start_coffee") in labels
    assert report(data)["promoted"] is False


def test_a_run_writes_the_learned_file_and_a_second_run_adds_nothing(tmp_path: Path) -> None:
    data = logged(tmp_path, log())
    assert run_learn_nlu(args(data)) == 0
    examples = lf.read(DataDir(data).learned_nlu)
    coffee = next(e for e in examples if e.intent == "start_coffee")
    assert coffee.users == {"alice", "bob", "carol"} and len(coffee.turns) == 3
    assert run_learn_nlu(args(data)) == 0
    assert report(data)["new"] == 0 and len(lf.read(DataDir(data).learned_nlu)) == len(examples)


def test_an_empty_log_says_so(tmp_path: Path, capsys) -> None:
    data = logged(tmp_path)
    assert run_learn_nlu(args(data)) == 0
    assert "empty: nothing to learn" in capsys.readouterr().out
    assert report(data)["labels"] == []


def test_no_log_at_all_is_a_clear_error(tmp_path: Path, capsys) -> None:
    assert run_learn_nlu(args(tmp_path)) == 1
    assert "no interaction log" in capsys.readouterr().err


def test_a_log_without_defects_learns_self_labels_only(tmp_path: Path, capsys) -> None:
    records = [r for r in log() if not r.feedback and r.intent != "nlu_fallback"]
    data = logged(tmp_path, records)
    assert run_learn_nlu(args(data)) == 0
    assert "no corrections" in capsys.readouterr().out
    assert report(data)["new"] >= 1


def test_a_corrupt_row_is_skipped_and_named(tmp_path: Path, capsys) -> None:
    import sqlite3

    data = logged(tmp_path, log())
    with sqlite3.connect(DataDir(data).learning_db) as conn:
        conn.execute("UPDATE turns SET timestamp = 'not a time' WHERE id = 2")
    assert run_learn_nlu(args(data)) == 0
    assert "1 corrupt row(s) of the log skipped" in capsys.readouterr().out
    assert report(data)["skipped_rows"] == 1


def test_a_learned_file_edited_into_invalid_yaml_is_kept_aside_not_lost(tmp_path: Path, capsys) -> None:
    data = logged(tmp_path, log())
    path = DataDir(data).learned_nlu
    path.parent.mkdir(parents=True)
    path.write_text("nlu:\n- intent: turn_off\n  examples: [unclosed\n")
    assert run_learn_nlu(args(data, dry_run=True)) == 0
    assert "unreadable" in capsys.readouterr().err and path.read_text().endswith("[unclosed\n")
    assert run_learn_nlu(args(data)) == 0
    kept = list(path.parent.glob("nlu.yml.unreadable-*"))
    assert len(kept) == 1 and kept[0].read_text().endswith("[unclosed\n")
    assert lf.read(path)


def test_a_forgotten_user_teaches_nothing(tmp_path: Path) -> None:
    from assistant.habits.store import HabitStore, MarkKind

    data = logged(tmp_path, log())
    with HabitStore.open(DataDir(data).prefs_url) as store:
        store.mark("bob", MarkKind.FORGOT, "*")
    assert run_learn_nlu(args(data)) == 0
    assert all("bob" not in e.users for e in lf.read(DataDir(data).learned_nlu))


def test_the_subcommand_is_part_of_the_assistant_command() -> None:
    from assistant.cli import build_parser

    parsed = build_parser().parse_args(["learn-nlu", "--dry-run", "--json", "x.json", "--max-user-share", "0.1"])
    assert parsed.func.__name__ == "cmd_learn_nlu" and parsed.dry_run and parsed.max_user_share == 0.1


def test_a_changed_learned_file_is_retrained_behind_the_gate(tmp_path: Path, capsys) -> None:
    from assistant.modelstore import retrain

    calls = []

    def gated(data, **_):
        calls.append(lf.read(data.learned_nlu))
        return retrain.RetrainOutcome(promoted=False, reasons=["guard intent accuracy would drop 2.0 points"],
                                      figures={}, seconds=1.0)

    data = logged(tmp_path, log())
    assert run_learn_nlu(args(data, no_retrain=False), retrain=gated) == 0
    assert calls and calls[0]                      # it saw the learned file just written
    assert "Kept the current model" in capsys.readouterr().out
    assert report(data)["promoted"] is False and "drop 2.0 points" in report(data)["reason"]
    assert run_learn_nlu(args(data, no_retrain=False), retrain=gated) == 0
    assert len(calls) == 1                         # nothing new the second time: no retrain


def test_without_a_gated_retrain_nothing_is_retrained_and_it_says_so(tmp_path: Path, capsys) -> None:
    data = logged(tmp_path, log())
    assert run_learn_nlu(args(data, no_retrain=False)) == 0
    assert "Nothing was retrained: no gated retrain was given" in capsys.readouterr().out
    assert lf.read(DataDir(data).learned_nlu)


def test_the_cli_retrains_behind_the_labs_gate(monkeypatch) -> None:
    from assistant.cli import commands
    from assistant.modelstore import retrain
    from lab.evaluation import gate

    given = {}
    monkeypatch.setattr("assistant.selflearn.command.run_learn_nlu",
                        lambda args, retrain=None: given.setdefault("retrain", retrain) and 0)
    commands.cmd_learn_nlu(argparse.Namespace())
    assert given["retrain"].func is retrain.retrain and given["retrain"].keywords == {"judge": gate.judge_candidate}


def test_a_failed_retrain_keeps_the_learned_file_and_says_so(tmp_path: Path, capsys) -> None:
    from assistant.training import TrainingError

    def broken(data, **_):
        raise TrainingError("rasa train failed (exit 1): boom")

    data = logged(tmp_path, log())
    assert run_learn_nlu(args(data, no_retrain=False), retrain=broken) == 1
    assert "current model keeps serving" in capsys.readouterr().err
    assert lf.read(DataDir(data).learned_nlu)
