"""Arms in worker processes: how they are dealt, what each worker's folder holds, and (on the
real stack) that the figures are those of one process."""

from __future__ import annotations

import argparse
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from simulator.population.parallel import WORKERS_FOLDER, deal, plain_options, plan, prepare_folder

TIMINGS = ("seconds", "turns_per_second")
# Timings written into a run's notes ("mined: ... in 0.1 s", "promoted (173 s)").
NOTE_TIMING = re.compile(r"\b\d+(?:\.\d+)? s\b")


def without_timings(run: dict) -> dict:
    """A run's report without what the clock decides."""
    kept = {k: v for k, v in run.items() if k not in TIMINGS}
    kept["notes"] = [NOTE_TIMING.sub("N s", note) for note in run.get("notes", [])]
    return kept


def test_only_the_clock_is_taken_out_of_a_report() -> None:
    mined = "day 0: mined: 9 turns read, 8 states; 0 phrase rules in {} s"
    fast, slow = ({"arm": "global", "seconds": s, "notes": [mined.format(s)]} for s in (0.0, 0.1))
    assert without_timings(fast) == without_timings(slow)
    assert without_timings(fast) != without_timings({**slow, "notes": [mined.format(0.1).replace("9 turns", "8 turns")]})


def test_arms_are_dealt_round_robin_and_no_worker_is_left_empty() -> None:
    arms = ["baseline", "teachable", "global", "personal", "selflearn", "full"]
    assert deal(arms, 2) == (("baseline", "global", "selflearn"), ("teachable", "personal", "full"))
    assert deal(arms, 4) == (("baseline", "selflearn"), ("teachable", "full"), ("global",), ("personal",))
    assert deal(["baseline", "full"], 8) == (("baseline",), ("full",))
    assert deal(arms, 0) == (tuple(arms),)


def test_each_worker_has_its_own_folder_under_the_data_folder(tmp_path: Path) -> None:
    layout = plan(["baseline", "teachable", "global"], 2, tmp_path)
    assert layout.folders == (tmp_path / WORKERS_FOLDER / "worker-0", tmp_path / WORKERS_FOLDER / "worker-1")
    assert layout.groups == (("baseline", "global"), ("teachable",))


def test_a_worker_folder_is_fresh_and_holds_the_model_and_caches(tmp_path: Path) -> None:
    root = tmp_path / "data"
    (root / "models").mkdir(parents=True)
    (root / "models" / "smarthome.tar.gz").write_bytes(b"model")
    (root / "rasa-cache" / "x").mkdir(parents=True)
    (root / "training-vectors-0.1.0.db").write_bytes(b"vectors")
    (root / "learning.db").write_bytes(b"the user's own log")
    folder = root / WORKERS_FOLDER / "worker-0"
    folder.mkdir(parents=True)
    (folder / "learning.db").write_bytes(b"an earlier run's log")
    prepare_folder(root, folder)
    assert (folder / "models" / "smarthome.tar.gz").read_bytes() == b"model"
    assert (folder / "rasa-cache" / "x").is_dir()
    assert (folder / "training-vectors-0.1.0.db").read_bytes() == b"vectors"
    assert not (folder / "learning.db").exists()          # no store is copied or left over
    assert (root / "learning.db").read_bytes() == b"the user's own log"


def test_only_plain_options_cross_to_a_worker() -> None:
    args = argparse.Namespace(users=2, data_dir=Path("/d"), without=["global"], func=print, seed=None)
    assert plain_options(args) == {"users": 2, "data_dir": Path("/d"), "without": ["global"], "seed": None}


@pytest.mark.stack
def test_two_workers_give_the_figures_of_one_process(tmp_path: Path, trained_model: Path) -> None:
    # One worker plays every arm in one runtime, as `simulate --workers 1` does in its own process.
    # (Not in this process: a second runtime here would point the session runtime's NLU components
    # at its own preference store.)
    # And one arm's users in two processes (`run_shards`), against the same arm in the one process.
    from simulator.population.metrics import summarize
    from simulator.population.parallel import run_shards, run_workers

    arms = ["baseline", "teachable", "global"]
    folders = []
    for name in ("one", "two", "shards"):
        folder = tmp_path / name
        shutil.copytree(trained_model.parent, folder / "models")
        folders.append(folder)

    def options(folder: Path) -> argparse.Namespace:
        return argparse.Namespace(users=3, days=2, seed=3, arm="all", asr="confusions", phrasing="templates",
                                  data_dir=folder, verbose=False, adversaries=0.0, without=[], bench=False,
                                  asr_confidence="damage", json=None, plot=None)

    seen: dict[str, tuple[int, int]] = {}
    sharded: list[tuple[int, int]] = []
    with ThreadPoolExecutor(3) as pool:   # the runs at once: five processes, each with its own folder
        one = pool.submit(run_workers, options(folders[0]), arms, 1, lambda *_: None)
        two = pool.submit(run_workers, options(folders[1]), arms, 2,
                          lambda arm, done, total: seen.update({arm: (done, total)}))
        shards = pool.submit(run_shards, options(folders[2]), "teachable", 2,
                             lambda arm, done, total: sharded.append((done, total)))
        alone, together, split = one.result(), two.result(), summarize(shards.result())
    assert [run["arm"] for run in together] == arms
    for one, two in zip(alone, together):
        assert without_timings(one) == without_timings(two)
    assert seen == {arm: (6, 6) for arm in arms}
    assert without_timings(split) == without_timings(alone[1]) and split["turns"] > 0
    assert sharded[-1] == (6, 6)
    assert not (folders[1] / "learning.db").exists()    # the workers played in their own folders
    assert (folders[1] / WORKERS_FOLDER / "worker-1" / "models").is_dir()


def test_workers_start_with_one_thread_each_and_the_environment_is_put_back(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from simulator.population import parallel

    monkeypatch.setenv("OMP_NUM_THREADS", "4")
    monkeypatch.delenv("MKL_NUM_THREADS", raising=False)
    with parallel._environment(parallel.ONE_THREAD):
        assert {name: os.environ[name] for name in parallel.ONE_THREAD} == parallel.ONE_THREAD
    assert os.environ["OMP_NUM_THREADS"] == "4" and "MKL_NUM_THREADS" not in os.environ
