"""`assistant infer` and `assistant habits` on a small seeded log, and the scoring."""

from __future__ import annotations

import datetime as dt
import json

from assistant.cli import main
from assistant.habits.implicit import Inference
from assistant.learning.log import InteractionLog
from assistant.paths import DataDir
from assistant.prefs.keys import PrefKey
from assistant.prefs.store import PreferenceStore
from lab.evaluation.habits import score
from tests.assistant.habits.helpers import START, alarm, played, turn

DAY = dt.timedelta(days=1)


def seed_log(root) -> None:
    with_alarm = (alarm(START),)
    rows = [played("ann", START + i * DAY + dt.timedelta(hours=12), "jazz") for i in range(4)]
    for d in range(3):
        rang = START + d * DAY
        rows.append(turn("ann", rang + dt.timedelta(minutes=8), "start brewing", intent="start_coffee",
                         directives=("brew coffee_maker",), events=({**with_alarm[0], "at": rang.isoformat()},)))
    log = InteractionLog.open(DataDir(root).learning_url)
    log.record_many(rows)
    log.close()


def test_infer_stores_prints_and_scores(tmp_path, capsys) -> None:
    seed_log(tmp_path)
    out = tmp_path / "infer.json"
    assert main(["infer", "--data-dir", str(tmp_path), "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    assert [(i["user"], i["key"], i["value"]) for i in report["stored"]] == [("ann", "music_genre", "jazz")]
    assert [(r["first"], r["then"], r["support"]) for r in report["routines"]] == [
        ("event:alarm_rang", "brew coffee_maker", 3)]
    with PreferenceStore.open(DataDir(tmp_path).prefs_url) as prefs:
        assert prefs.first_liked("ann", PrefKey.MUSIC_GENRE) == "jazz"
    assert "1 implicit preference(s) stored" in capsys.readouterr().out
    assert main(["habits", "--data-dir", str(tmp_path), "--user", "ann"]) == 0
    assert "music_genre=jazz" in capsys.readouterr().out


def test_a_dry_run_stores_nothing(tmp_path) -> None:
    seed_log(tmp_path)
    assert main(["infer", "--data-dir", str(tmp_path), "--dry-run"]) == 0
    with PreferenceStore.open(DataDir(tmp_path).prefs_url) as prefs:
        assert prefs.get("ann") == []


def test_bad_arguments_are_refused(tmp_path, capsys) -> None:
    assert main(["infer", "--data-dir", str(tmp_path), "--score-users", "3"]) == 1
    assert main(["infer", "--data-dir", str(tmp_path), "--now", "soon"]) == 1
    assert main(["habits", "--data-dir", str(tmp_path)]) == 1
    assert "error" in capsys.readouterr().err


def test_precision_and_recall() -> None:
    at = START
    inferred = [Inference("ann", "music_genre", "jazz", 0.8, 4, 1.0, at),
                Inference("ann", "home_city", "Seattle, Washington", 0.7, 3, 1.0, at),
                Inference("bob", "music_genre", "rock", 0.8, 4, 1.0, at),
                Inference("zed", "music_genre", "rock", 0.8, 4, 1.0, at)]   # not a scored user
    truth = {"ann": {"music_genre": "jazz", "home_city": "Boston, Massachusetts"},
             "bob": {"music_genre": "pop"}}
    scored = score(inferred, truth).to_json()
    assert (scored["predicted"], scored["correct"], scored["truths"]) == (3, 1, 3)
    assert scored["precision"] == round(1 / 3, 4) and scored["recall"] == round(1 / 3, 4)
    assert scored["per_key"]["music_genre"] == {"precision": 0.5, "recall": 0.5, "predicted": 2, "correct": 1,
                                                "truths": 2}


def test_on_a_seeded_synthetic_history_recall_grows_with_days_and_guesses_stay_right() -> None:
    from lab.evaluation.habits import measure_synthetic

    early, later = measure_synthetic(20, 3, 7), measure_synthetic(20, 21, 7)
    assert later["recall"] > early["recall"] > 0
    assert later["precision"] >= 0.95 and early["precision"] == 1.0
    assert later == measure_synthetic(20, 21, 7)  # same seed, same numbers
    assert later["per_key"]["temperature_unit"]["predicted"] == 0  # never said in the simulator
