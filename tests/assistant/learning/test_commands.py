"""`assistant mine` and `assistant rewrites` on a temporary data folder."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from assistant.learning import commands, mining
from assistant.learning.log import InteractionLog
from assistant.learning.rewrites import RewriteStore
from assistant.paths import DataDir
from assistant.similarity import token_similarity
from tests.assistant.learning.rephrase_logs import failed_then_fixed

WRONG, RIGHT = "play some jaz music", "play some jazz music"


@pytest.fixture(autouse=True)
def no_minilm(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mining, "minilm_similarity", token_similarity)
    monkeypatch.delenv("ASSISTANT_LEARNING_URL", raising=False)
    monkeypatch.setenv("COLUMNS", "200")  # rich folds long cells at the default 80


def _args(tmp_path: Path, **extra) -> argparse.Namespace:
    return argparse.Namespace(data_dir=tmp_path, verbose=False, json=None, user=None, **extra)


def _fill(tmp_path: Path, users=("alice", "bob", "carol")) -> None:
    with InteractionLog.open(DataDir(tmp_path).learning_url) as log:
        for user in users:
            turns = failed_then_fixed(user, WRONG, RIGHT, at=0)
            for t in turns:
                t.id = None
            log.record_many(turns)


def test_mine_prints_the_added_pair_and_writes_json(tmp_path: Path, capsys) -> None:
    _fill(tmp_path)
    out = tmp_path / "mine.json"
    assert commands.run_mine(argparse.Namespace(data_dir=tmp_path, verbose=False, json=str(out))) == 0
    printed = capsys.readouterr().out
    assert "New rewrites (1)" in printed and WRONG in printed and RIGHT in printed
    assert "1 added" in printed
    report = json.loads(out.read_text())
    assert [(p["source"], p["target"], p["support"]) for p in report["added"]] == [(WRONG, RIGHT, 3)]
    assert report["turns"] == 6


def test_rewrites_lists_global_and_the_users_personal_pairs(tmp_path: Path, capsys) -> None:
    _fill(tmp_path)
    with InteractionLog.open(DataDir(tmp_path).learning_url) as log:
        for at in (0, 600):
            turns = failed_then_fixed("carol", "turn the lights of", "turn the lights off", at=at)
            for t in turns:
                t.id = None
            log.record_many(turns)
    assert commands.run_mine(_args(tmp_path)) == 0
    capsys.readouterr()
    out = tmp_path / "rewrites.json"
    assert commands.run_rewrites(argparse.Namespace(data_dir=tmp_path, verbose=False, user=None,
                                                    json=str(out))) == 0
    printed = capsys.readouterr().out
    assert WRONG in printed and "turn the lights of" not in printed
    assert [r["scope"] for r in json.loads(out.read_text())["rewrites"]] == ["global"]
    assert commands.run_rewrites(argparse.Namespace(data_dir=tmp_path, verbose=False, user="carol",
                                                    json=str(out))) == 0
    printed = capsys.readouterr().out
    assert "turn the lights of" in printed and "personal" in printed and "active" in printed
    assert sorted(r["scope"] for r in json.loads(out.read_text())["rewrites"]) == ["global", "personal"]


def test_rewrites_on_an_empty_table_says_so(tmp_path: Path, capsys) -> None:
    assert commands.run_rewrites(_args(tmp_path)) == 0
    assert "No global rewrites yet" in capsys.readouterr().out


def test_mine_on_an_empty_log_says_so(tmp_path: Path, capsys) -> None:
    assert commands.run_mine(_args(tmp_path)) == 0
    assert "empty" in capsys.readouterr().out


def test_a_failed_write_is_one_clear_line(tmp_path: Path, capsys, monkeypatch) -> None:
    _fill(tmp_path)

    def broken(self, pairs, **kwargs):
        raise RuntimeError("database is locked")

    monkeypatch.setattr(RewriteStore, "apply_mined", broken)
    assert commands.run_mine(_args(tmp_path)) == 1
    err = capsys.readouterr().err
    assert "table unchanged" in err and "database is locked" in err and "Traceback" not in err


def test_the_cli_runs_both_commands(tmp_path: Path, capsys) -> None:
    from assistant.cli import main

    _fill(tmp_path)
    assert main(["mine", "--data-dir", str(tmp_path)]) == 0
    assert main(["rewrites", "--data-dir", str(tmp_path), "--user", "alice"]) == 0
    printed = capsys.readouterr().out
    assert printed.count(RIGHT) >= 2
