"""`assistant prefs --user ID`: a user's stored preferences, as a table and as JSON."""

from __future__ import annotations

import json
from pathlib import Path

from assistant import cli
from assistant.paths import DataDir
from assistant.prefs.keys import Polarity, PrefKey, Source
from assistant.prefs.store import PreferenceStore


def test_prefs_lists_one_users_preferences(tmp_path: Path, capsys) -> None:
    data = DataDir(tmp_path)
    with PreferenceStore.open(data.prefs_url) as store:
        store.set("alice", PrefKey.MUSIC_GENRE, "jazz", source=Source.QA, confidence=0.9)
        store.set("alice", PrefKey.MUSIC_GENRE, "country", Polarity.DISLIKE)
        store.set("bob", PrefKey.CUISINE, "thai")
    out = tmp_path / "prefs.json"
    assert cli.main(["prefs", "--data-dir", str(tmp_path), "--user", "alice", "--json", str(out)]) == 0
    rows = json.loads(out.read_text())
    assert rows["user"] == "alice"
    assert [(r["key"], r["value"], r["polarity"], r["source"]) for r in rows["preferences"]] == [
        ("music_genre", "jazz", "like", "qa"), ("music_genre", "country", "dislike", "statement")]
    printed = capsys.readouterr().out
    assert "jazz" in printed and "country" in printed and "thai" not in printed


def test_prefs_for_a_user_with_none(tmp_path: Path, capsys) -> None:
    assert cli.main(["prefs", "--data-dir", str(tmp_path), "--user", "nobody"]) == 0
    assert "No preferences stored for 'nobody'." in capsys.readouterr().out


def test_prefs_needs_a_user(tmp_path: Path, capsys) -> None:
    assert cli.main(["prefs", "--data-dir", str(tmp_path)]) == cli.EXIT_FAIL
    assert "--user" in capsys.readouterr().err
