"""Entity repair replayed on a simulated run's logged turns: how often it repairs, and to the
value the user said.

Each logged request of an intent whose action resolves a value (play_media, ask_weather,
ask_team_score, find_restaurant, the device intents) is played again through its real action,
with the NLU reading the run logged, once with repair off and once with the global prior on (no
personal history: an empty preference store). The simulator's truth (`learning.truth.db`) says
what was said: a repair is right when its value is the catalog name of its kind in those words.
Run: ``python -m lab.evaluation.repair_replay RUN_DIR [--json OUT]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant.paths import PREFS_URL_ENV

OFF = {"global_repair": False, "personal_repair": False}
GLOBAL_ON = {"global_repair": True, "personal_repair": False}
DEVICE_INTENTS = ("turn_on", "turn_off", "set_temperature", "set_brightness", "set_color", "open_device",
                  "close_device", "lock_device", "unlock_device")


@dataclass
class ReplayReport:
    """What repair did on a run's turns (``wrong``: said, heard, span, value, wanted)."""

    turns: int = 0
    failed_without: int = 0       # turns whose action reported a problem, repair off
    failed_with: int = 0          # ... repair on
    repairs: int = 0
    right: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    wrong: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    repair_ms_p50: float = 0.0    # time spent in repair per replayed turn
    repair_ms_p95: float = 0.0

    @property
    def precision(self) -> float | None:
        return self.right / self.repairs if self.repairs else None


def _actions() -> dict[str, tuple[Any, tuple[Any, ...]]]:
    from assistant.actions.device_control import ActionDeviceControl
    from assistant.actions.find_restaurant import ActionFindRestaurant
    from assistant.actions.play_media import ActionPlayMedia
    from assistant.actions.team_score import ActionTeamScore
    from assistant.actions.weather import ActionWeather
    from assistant.repair.outcome import Kind

    found: dict[str, tuple[Any, tuple[Any, ...]]] = {
        "play_media": (ActionPlayMedia(), (Kind.TITLE, Kind.ARTIST, Kind.GENRE)),
        "ask_weather": (ActionWeather(), (Kind.CITY,)), "ask_team_score": (ActionTeamScore(), (Kind.TEAM,)),
        "find_restaurant": (ActionFindRestaurant(), (Kind.CUISINE,))}
    device = ActionDeviceControl()
    found.update({intent: (device, (Kind.DEVICE, Kind.ROOM)) for intent in DEVICE_INTENTS})
    return found


def replay(run: Path) -> ReplayReport:
    """Replay the run in ``run`` (a data folder with ``learning.db`` and ``learning.truth.db``)."""
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    import assistant.repair.apply as apply
    from assistant.repair.candidates import candidates
    from assistant.services.text_match import find_phrase

    kept_prefs = os.environ.get(PREFS_URL_ENV)
    os.environ[PREFS_URL_ENV] = f"sqlite:///{Path(tempfile.mkdtemp()) / 'prefs.db'}"   # no personal history
    original, spent = apply.attempt_any, [0.0]

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - started

    def play(action: Any, text: str, intent: str, entities: list[dict[str, Any]], learning: dict[str, bool],
             device: str) -> tuple[list[dict[str, Any]], list[str], float]:
        latest = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": entities,
                  "metadata": {"user_id": "replay", "device_id": device, "learning": learning}}
        dispatcher, spent[0] = CollectingDispatcher(), 0.0
        asyncio.run(action.run(dispatcher, Tracker("replay", {}, latest, [], False, None, {}, "action_listen"), {}))
        custom = [m.get("custom") or {} for m in dispatcher.messages]
        return [c["repaired"] for c in custom if c.get("repaired")], [c["problem"] for c in custom if c.get("problem")], \
            spent[0]

    actions, report, kinds, times = _actions(), ReplayReport(), Counter[str](), []
    apply.attempt_any = timed
    try:
        truth_db = sqlite3.connect(f"file:{run / 'learning.truth.db'}?mode=ro", uri=True)
        truth = {tid: json.loads(t) for tid, t in truth_db.execute("SELECT turn_id, truth FROM sim_truth")}
        log = sqlite3.connect(f"file:{run / 'learning.db'}?mode=ro", uri=True)
        for tid, text, intent, entities, device in log.execute(
                "SELECT id, text, intent, entities, device_id FROM turns ORDER BY id"):
            said = truth.get(tid) or {}
            if intent not in actions or said.get("goal_intent") != intent or said.get("false_wake"):
                continue
            action, wanted_kinds = actions[intent]
            pool = candidates(wanted_kinds)
            wanted = find_phrase(said.get("said") or "", {c.spoken: c for c in pool})
            values = {c.value for c in pool if c.spoken == wanted} if wanted else set()
            read = [{k: e.get(k) for k in ("entity", "value", "start", "end")} for e in json.loads(entities or "[]")]
            _, problems_off, _ = play(action, text, intent, read, OFF, device)
            repairs, problems_on, took = play(action, text, intent, read, GLOBAL_ON, device)
            report.turns += 1
            report.failed_without += bool(problems_off)
            report.failed_with += bool(problems_on)
            times.append(took * 1000)
            for repair in repairs:
                report.repairs += 1
                ok = repair["value"] in values
                report.right += ok
                kinds[f"{repair['kind']} {'right' if ok else 'wrong'}"] += 1
                if not ok:
                    report.wrong.append((said.get("said", ""), text, repair["heard"], repair["value"], wanted or ""))
    finally:
        apply.attempt_any = original
        if kept_prefs is None:
            os.environ.pop(PREFS_URL_ENV, None)
        else:
            os.environ[PREFS_URL_ENV] = kept_prefs
    times.sort()
    if times:
        report.repair_ms_p50 = round(times[len(times) // 2], 3)
        report.repair_ms_p95 = round(times[min(len(times) - 1, int(0.95 * len(times)))], 3)
    report.by_kind = dict(kinds)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, help="a simulated run's data folder")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)
    report = replay(args.run)
    figures = {**asdict(report), "precision": report.precision}
    print(json.dumps({k: v for k, v in figures.items() if k != "wrong"}))
    for said, heard, span, value, wanted in report.wrong:
        print(f"wrong: said {said!r}, heard {heard!r}: {span!r} -> {value!r} (wanted {wanted!r})")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
