"""The load benchmark's bookkeeping (the benchmark itself is a command, not a test)."""

from __future__ import annotations

import random
from collections import Counter

from lab.evaluation.serve_figures import accounting, leaks, percentile
from lab.evaluation.serve_traffic import TurnOutcome, requests_for


def _outcome(home: str, user: str, text: str, ok: bool = True, changed: dict | None = None) -> TurnOutcome:
    return TurnOutcome(home, user, text, key=f"{home}-{user}-{text}", ok=ok, seconds=0.1, attempts=1,
                       served_by=0, started=0.0, finished=0.1,
                       answer={"user_id": user, "changed": changed or {}} if ok else {})


def test_requests_are_seeded_templates_without_placeholders() -> None:
    first, again = requests_for("north", random.Random(3), 40), requests_for("north", random.Random(3), 40)
    assert first == again and len(first) == 40
    assert not any("{" in text for text in first)
    assert requests_for("south", random.Random(3), 40) != first


def test_percentile() -> None:
    assert percentile([5.0, 1.0, 3.0], 0.5) == 3.0
    assert percentile(list(map(float, range(1, 101))), 0.95) == 95.0


def test_accounting_counts_lost_and_doubled_turns() -> None:
    outcomes = [_outcome("north", "u00", "coffee please"), _outcome("north", "u00", "play music"),
                _outcome("south", "u00", "lock the front door", ok=False)]
    before = {"tracker": Counter(), "log": Counter(), "corrupt": 0}
    after = {"tracker": Counter({"north.u00": 3}),
             "log": Counter({("north.u00", "coffee please"): 1}), "corrupt": 0}
    figures = accounting(outcomes, after, before)
    assert figures["turns_answered"] == 2
    assert (figures["tracker_extra"], figures["log_missing"]) == (1, 1)


def test_leaks_across_users_and_homes_are_counted() -> None:
    outcomes = [_outcome("north", "u00", "coffee please", changed={"coffee_maker": {"brewing": True}}),
                _outcome("south", "u00", "lock the front door")]
    outcomes[1].answer["user_id"] = "u01"   # an answer naming someone else
    before = {"tracker": Counter(), "log": Counter(), "corrupt": 0}
    after = {"tracker": Counter({"north.u00": 1, "south.u00": 1, "south.mallory": 1}),
             "log": Counter({("north.u00", "coffee please"): 1, ("south.u00", "coffee please"): 1}),
             "corrupt": 0}
    initial = {"north": {"coffee_maker": {"brewing": False}, "tv": {"power": "off"}},
               "south": {"coffee_maker": {"brewing": False}, "tv": {"power": "off"}}}
    final = {"north": {"coffee_maker": {"brewing": True}, "tv": {"power": "off"}},
             "south": {"coffee_maker": {"brewing": True}, "tv": {"power": "off"}}}
    found = leaks(outcomes, after, before, final, initial)
    assert found["answers_naming_another_user"] == 1
    assert found["log_rows_of_another_user_or_home"] == 1
    assert found["tracker_conversations_of_unknown_users"] == 1
    assert found["unexplained_devices"] == ["south:coffee_maker"]
