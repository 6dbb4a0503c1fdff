"""The service's stores without a server: tokens, homes (version conflicts), idempotency keys."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from assistant.home import Home
from assistant.service.homes import HomeStore, UnknownHomeError, VersionConflict
from assistant.service.idempotency import (
    ClaimState,
    IdempotencyStore,
    LostClaimError,
    check_key,
)
from assistant.service.tables import ServiceDB
from assistant.service.tokens import TokenStore, bearer, token_hash

NOW = dt.datetime(2026, 3, 2, 8, 0)


@pytest.fixture
def db(tmp_path: Path) -> ServiceDB:
    opened = ServiceDB.open(tmp_path / "service.db")
    yield opened
    opened.close()


def two_servers(tmp_path: Path) -> tuple[HomeStore, HomeStore]:
    """Two stores on one file, as two servers on one database would be."""
    first, second = ServiceDB.open(tmp_path / "shared.db"), ServiceDB.open(tmp_path / "shared.db")
    return HomeStore(first, now=lambda: NOW), HomeStore(second, now=lambda: NOW)


# -- tokens -----------------------------------------------------------------------------


def test_a_token_names_its_home_and_only_its_hash_is_stored(db: ServiceDB) -> None:
    tokens = TokenStore(db)
    info, token = tokens.create("north")
    assert tokens.authenticate(token) == "north"
    with db.engine.connect() as conn:
        stored = [tuple(row) for row in conn.exec_driver_sql("SELECT * FROM service_tokens")]
    assert not any(token in str(value) for row in stored for value in row)
    assert stored[0][2] == token_hash(token)
    assert tokens.list()[0].id == info.id and tokens.list()[0].last_used_at is not None


@pytest.mark.parametrize("sent", [None, "", "nope", "x" * 500])
def test_a_wrong_token_names_no_home(db: ServiceDB, sent: str | None) -> None:
    TokenStore(db).create("north")
    assert TokenStore(db).authenticate(sent) is None


def test_a_revoked_token_stops_at_once_and_others_keep_working(db: ServiceDB) -> None:
    tokens = TokenStore(db)
    first, first_token = tokens.create("north")
    _, second_token = tokens.create("north")
    assert tokens.revoke(first.id).revoked_at is not None
    assert tokens.authenticate(first_token) is None
    assert tokens.authenticate(second_token) == "north"
    assert tokens.revoke(999) is None
    assert [t.active for t in tokens.list("north")] == [False, True]
    assert tokens.list("south") == []


def test_tokens_are_per_home_names_only(db: ServiceDB) -> None:
    with pytest.raises(ValueError, match="invalid home name"):
        TokenStore(db).create("North Home")


@pytest.mark.parametrize("header, token", [("Bearer abc", "abc"), ("bearer  abc ", "abc"), ("Basic abc", None),
                                           ("Bearer", None), (None, None)])
def test_bearer_header(header: str | None, token: str | None) -> None:
    assert bearer(header) == token


# -- homes ------------------------------------------------------------------------------


def test_register_keeps_a_registered_homes_state(db: ServiceDB) -> None:
    homes = HomeStore(db, now=lambda: NOW)
    home, created = homes.register(Home.default(), "north")
    assert created and home.clock.now == NOW
    loaded, version = homes.load("north")
    loaded.apply("turn_on kitchen_light")
    homes.save("north", loaded, version)
    again, created = homes.register(Home.default(), "north")
    assert not created and again.devices["kitchen_light"].state["power"] == "on"
    with pytest.raises(UnknownHomeError):
        homes.load("south")


def test_a_stale_write_is_refused_and_update_reapplies_it(tmp_path: Path) -> None:
    one, two = two_servers(tmp_path)
    one.register(Home.default(), "north")
    home_a, version_a = one.load("north")
    home_b, version_b = two.load("north")
    home_a.apply("turn_on kitchen_light")
    one.save("north", home_a, version_a)
    home_b.apply("open garage_door")
    with pytest.raises(VersionConflict):
        two.save("north", home_b, version_b)
    _, merged, version = two.update("north", lambda home: home.apply("open garage_door"))
    assert version == version_a + 2
    stored, _ = one.load("north")
    assert stored.devices["kitchen_light"].state["power"] == "on"      # nobody's update was lost
    assert stored.devices["garage_door"].state["position"] == "open"


def test_events_are_stored_with_the_state_and_read_per_home(db: ServiceDB) -> None:
    homes = HomeStore(db, now=lambda: NOW)
    for name in ("north", "south"):
        homes.register(Home.default(), name)
    home, version = homes.load("north")
    homes.save("north", home, version, events=[{"kind": "state_changed", "device_id": "oven"}])
    found = homes.events_since("north")
    assert [e["device_id"] for _, e in found] == ["oven"]
    assert homes.events_since("south") == []
    assert homes.events_since("north", after=found[-1][0]) == []
    assert homes.last_event_id("north") == found[-1][0]


def test_a_failed_extra_write_rolls_the_state_back(db: ServiceDB) -> None:
    homes = HomeStore(db, now=lambda: NOW)
    homes.register(Home.default(), "north")
    home, version = homes.load("north")
    home.apply("turn_on kitchen_light")

    def fail(_conn: object) -> None:
        raise LostClaimError("taken over")

    with pytest.raises(LostClaimError):
        homes.save("north", home, version, events=[{"kind": "x"}], also=fail)
    stored, stored_version = homes.load("north")
    assert stored_version == version and stored.devices["kitchen_light"].state["power"] == "off"
    assert homes.events_since("north") == []


# -- idempotency ------------------------------------------------------------------------


def test_a_key_runs_once_and_then_returns_its_answer(db: ServiceDB) -> None:
    keys = IdempotencyStore(db, lease=30)
    claim = keys.claim("north", "k1")
    assert claim.state is ClaimState.RUN
    assert keys.claim("north", "k1").state is ClaimState.BUSY      # a retry while it runs
    assert keys.claim("south", "k1").state is ClaimState.RUN       # keys are per home
    keys.finish("north", "k1", claim.owner, {"replies": ["done"]})
    again = keys.claim("north", "k1")
    assert again.state is ClaimState.DONE and again.answer == {"replies": ["done"]}


def test_a_dead_holders_claim_is_taken_over_after_its_lease(db: ServiceDB) -> None:
    keys = IdempotencyStore(db, lease=1)
    dead = keys.claim("north", "k1")
    with db.engine.begin() as conn:   # the holder died a while ago
        conn.exec_driver_sql("UPDATE service_idempotency SET claimed_at = '2000-01-01 00:00:00'")
    taker = keys.claim("north", "k1")
    assert taker.state is ClaimState.RUN and taker.owner != dead.owner
    with pytest.raises(LostClaimError):   # the old holder, back from the dead, can't answer
        keys.finish("north", "k1", dead.owner, {"replies": ["late"]})
    keys.finish("north", "k1", taker.owner, {"replies": ["on time"]})
    assert keys.answer("north", "k1") == {"replies": ["on time"]}


def test_a_released_claim_runs_again(db: ServiceDB) -> None:
    keys = IdempotencyStore(db, lease=30)
    claim = keys.claim("north", "k1")
    keys.release("north", "k1", claim.owner)
    assert keys.claim("north", "k1").state is ClaimState.RUN


@pytest.mark.parametrize("key", ["", "x" * 101, "caf\u00e9", "tab\there", 7])
def test_bad_keys_are_refused(key: object) -> None:
    with pytest.raises(ValueError):
        check_key(key)
