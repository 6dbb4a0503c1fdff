"""The turn service's bookkeeping around `Runtime.handle`, with a stand-in runtime: a write
that loses the race re-applies the turn's directives, ids are namespaced by home, the
clock catches up and fires what is due. (The real runtime is exercised in test_server.py.)"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Callable

import pytest

from assistant.home import Home
from assistant.service import ids, ticker
from assistant.service.homes import HomeStore
from assistant.service.idempotency import IdempotencyStore
from assistant.service.tables import ServiceDB
from assistant.service.turns import HouseholdRequest, TurnService, catch_up
from assistant.turn import ActionReport, TurnRequest, TurnResult

NOW = dt.datetime(2026, 3, 2, 8, 0)


class StandInRuntime:
    """Applies one directive to the home it was handed, as `Runtime.handle` does; ``during``
    runs in the middle of the turn (another server writing the same home)."""

    def __init__(self, directive: str, during: Callable[[], None] | None = None) -> None:
        self.directive, self.during = directive, during
        self.home: Home | None = None
        self.calls: list[dict[str, Any]] = []
        self._generation: dict[str, str] = {}
        self.log: Any = None

    def replace_home(self, home: Home) -> None:
        self.home = home

    def use_conversation(self, user_id: str, sender_id: str) -> None:
        self._generation[user_id] = sender_id

    def handle(self, request: TurnRequest, /) -> TurnResult:
        self.calls.append({"sender": self._generation.get(request.user_id), **vars(request)})
        assert self.home is not None
        if self.during is not None:
            self.during()
        self.home.apply(self.directive)
        return TurnResult(text=request.text, replies=["ok"], report=ActionReport(directives=[self.directive]),
                          applied=[self.directive])


@pytest.fixture
def homes(tmp_path: Path) -> HomeStore:
    store = HomeStore(ServiceDB.open(tmp_path / "service.db"), now=lambda: NOW)
    home = Home.default()
    home.devices["kitchen_speaker"].default_user = "alice"
    home.default_user = "dana"
    store.register(home, "north")
    return store


def service(homes: HomeStore, runtime: StandInRuntime) -> TurnService:
    keys = IdempotencyStore(homes._db, lease=30)
    return TurnService(runtime, homes, keys, now=lambda: NOW)  # type: ignore[arg-type]


def test_a_turn_that_loses_the_race_reapplies_its_directives(tmp_path: Path, homes: HomeStore) -> None:
    other = HomeStore(ServiceDB.open(tmp_path / "service.db"), now=lambda: NOW)

    def another_server_opens_the_garage() -> None:
        other.update("north", lambda home: home.apply("open garage_door"))

    runtime = StandInRuntime("turn_on kitchen_light", during=another_server_opens_the_garage)
    answer = service(homes, runtime).play(HouseholdRequest(home="north", text="lights on", device_id="kitchen_speaker"))
    stored, version = homes.load("north")
    assert stored.devices["kitchen_light"].state["power"] == "on"
    assert stored.devices["garage_door"].state["position"] == "open"
    assert answer["directives"] == ["turn_on kitchen_light"]
    assert set(answer["changed"]) == {"kitchen_light"}
    assert version == 3


def test_the_idempotency_answer_is_stored_with_the_state(homes: HomeStore) -> None:
    runtime = StandInRuntime("turn_on kitchen_light")
    turns = service(homes, runtime)
    claim = turns.keys.claim("north", "k1")
    answer = turns.play(HouseholdRequest(home="north", text="lights on", device_id="kitchen_speaker",
                                    idempotency_key="k1", claim_owner=claim.owner))
    assert turns.keys.answer("north", "k1") == answer


def test_a_request_a_dead_server_already_played_is_not_played_again(homes: HomeStore, tmp_path: Path) -> None:
    """The turn reached Rasa and the log, then its server died before the state and the answer
    were stored: the takeover answers from the log and applies the directives once."""
    from assistant.learning.log import InteractionLog, TurnRecord

    runtime = StandInRuntime("turn_on kitchen_light")
    runtime.log = InteractionLog.open(f"sqlite:///{tmp_path / 'learning.db'}")
    runtime.log.record(TurnRecord(user_id="north.alice", device_id="kitchen_speaker", session_id="s",
                                  timestamp=NOW, text="lights on", intent="turn_on", reply="Done.",
                                  directives=["turn_on kitchen_light", "unlock front_door"],
                                  refused=[["unlock front_door", "NEEDS_CONFIRMATION", "no"]],
                                  request_id="north:k9"))
    turns = service(homes, runtime)
    claim = turns.keys.claim("north", "k9")
    answer = turns.play(HouseholdRequest(home="north", text="lights on", device_id="kitchen_speaker",
                                    idempotency_key="k9", claim_owner=claim.owner))
    assert runtime.calls == []                       # not played through the pipeline again
    stored, _ = homes.load("north")
    assert stored.devices["kitchen_light"].state["power"] == "on"
    assert answer["replies"] == ["Done."] and answer["directives"] == ["turn_on kitchen_light"]
    assert turns.keys.answer("north", "k9") == answer
    assert runtime.log.count() == 1
    # A new key is a new turn, played as usual (and logged with its request id by the runtime).
    turns.play(HouseholdRequest(home="north", text="lights on", device_id="kitchen_speaker", idempotency_key="k10"))
    assert runtime.calls[0]["request_id"] == "north:k10"


@pytest.mark.parametrize("device, user, speaker", [
    ("kitchen_speaker", None, "alice"),      # the device's default user
    ("bedroom_speaker", None, "dana"),       # the home's
    ("kitchen_speaker", "bob", "bob"),       # the request's
])
def test_who_speaks_and_under_which_ids(homes: HomeStore, device: str, user: str | None, speaker: str) -> None:
    runtime = StandInRuntime("turn_on kitchen_light")
    answer = service(homes, runtime).play(HouseholdRequest(home="north", text="hi", device_id=device, user_id=user,
                                                      conversation_id="c7"))
    assert answer["user_id"] == speaker and answer["conversation_id"] == "c7"
    assert runtime.calls[0]["user_id"] == f"north.{speaker}"
    assert runtime.calls[0]["sender"] == f"north.{speaker}~c7"


@pytest.mark.parametrize("bad", ["a b", "x" * 40, "north.alice", "", "é"])
def test_client_ids_cannot_escape_their_home(bad: str) -> None:
    with pytest.raises(ids.BadIdError):
        ids.internal_user("north", bad)


def test_client_user_reads_only_its_own_homes_ids() -> None:
    assert ids.client_user("north", "north.alice") == "alice"
    assert ids.client_user("north", "northern.alice") is None
    assert ids.client_user("north", "south.alice") is None


def test_catching_up_fires_timers_and_jumps_long_gaps() -> None:
    home = Home.default()
    home.clock.now = NOW
    ends = (NOW + dt.timedelta(seconds=30)).isoformat()
    assert home.set_state("kitchen_speaker", {"timers": [{"ends_at": ends, "label": "tea"}]}).ok
    fired = catch_up(home, NOW + dt.timedelta(minutes=1))
    assert [e["kind"] for e in fired] == ["timer_done"]
    assert catch_up(home, NOW) == []                            # never backwards
    catch_up(home, NOW + dt.timedelta(days=30))                 # a long outage is jumped
    assert home.clock.now == NOW + dt.timedelta(days=30)


def test_the_ticker_stores_each_event_once(tmp_path: Path, homes: HomeStore) -> None:
    home, version = homes.load("north")
    ends = (NOW + dt.timedelta(seconds=5)).isoformat()
    home.set_state("kitchen_speaker", {"timers": [{"ends_at": ends, "label": "tea"}]})
    homes.save("north", home, version)
    later = NOW + dt.timedelta(seconds=10)
    other = HomeStore(ServiceDB.open(tmp_path / "service.db"))
    assert ticker.tick(homes, now=lambda: later) == 1
    assert ticker.tick(other, now=lambda: later) == 0            # a second server: nothing new
    kinds = [e["kind"] for _, e in homes.events_since("north")]
    assert kinds.count("timer_done") == 1
