"""The mining benchmark's synthetic log: seeded, and its ground truth points where it should."""

from __future__ import annotations

import importlib.util
import sys
from itertools import islice
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "bench_mining.py"


def _bench():
    spec = importlib.util.spec_from_file_location("bench_mining", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_mining"] = module
    spec.loader.exec_module(module)
    return module


def test_the_synthetic_log_is_seeded_and_its_rephrases_point_back_in_the_session(tmp_path: Path) -> None:
    bench = _bench()
    spec = bench.Synthetic(turns=3000, users=50, seed=5)
    first = [(t.id, t.user_id, t.text, t.truth["rephrase_of"]) for t in bench.synthetic_turns(spec)]
    again = [(t.id, t.user_id, t.text, t.truth["rephrase_of"]) for t in bench.synthetic_turns(spec)]
    assert first == again and len(first) == 3000
    other = [t.text for t in islice(bench.synthetic_turns(bench.Synthetic(turns=3000, users=50, seed=6)), 3000)]
    assert [t[2] for t in first] != other
    turns = {t.id: t for t in bench.synthetic_turns(spec)}
    rephrases = [t for t in turns.values() if t.truth["rephrase_of"] is not None]
    assert rephrases and all(turns[t.truth["rephrase_of"]].session_id == t.session_id for t in rephrases)
    assert all(turns[t.truth["rephrase_of"]].feedback.get("rephrase") for t in rephrases)
    assert bench.write_sqlite(tmp_path / "log.db", iter(turns.values())) == 3000
    from assistant.learning.log import InteractionLog
    from simulator.truth_store import attach_beside

    with InteractionLog.open(tmp_path / "log.db") as log:
        stored = log.get(rephrases[0].id)
        assert log.count() == 3000
        assert stored is not None and stored.truth is None        # the log keeps no truth
        [stored] = attach_beside(log.url, [stored])                # the simulator's store does
    assert (stored.text, stored.timestamp, stored.feedback, stored.truth) == (
        rephrases[0].text, rephrases[0].timestamp, rephrases[0].feedback, rephrases[0].truth)
