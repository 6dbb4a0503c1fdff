"""Our stores on a real PostgreSQL server (pgserver, started by tests/servers.py): each one
round-trips there as it does on SQLite, and opening them from several processes at once
does not trip over the schema."""

from __future__ import annotations

import datetime as dt
import multiprocessing

import pytest

from assistant.db import create_all, create_engine, is_sqlite


def _when(minute: int) -> dt.datetime:
    return dt.datetime(2026, 1, 5, 7, minute)


def test_the_url_is_postgresql(postgres_db: str) -> None:
    import sqlalchemy as sa

    assert not is_sqlite(postgres_db)
    engine = create_engine(postgres_db)
    try:
        with engine.connect() as conn:
            assert conn.dialect.name == "postgresql"
            assert "PostgreSQL" in conn.execute(sa.text("select version()")).scalar()
    finally:
        engine.dispose()


def test_preferences_round_trip(postgres_db: str) -> None:
    from assistant.prefs.keys import Polarity, PrefKey, Source
    from assistant.prefs.store import SCHEMA_VERSION, PreferenceStore

    with PreferenceStore.open(postgres_db) as store:
        store.set("alice", PrefKey.MUSIC_GENRE, "jazz")
        store.set("alice", PrefKey.MUSIC_GENRE, "rock")
        store.set("alice", PrefKey.HOME_CITY, "Paris")
        store.set("alice", PrefKey.HOME_CITY, "Boston")   # single-valued: replaces Paris
        store.set("alice", PrefKey.MUSIC_GENRE, "country", polarity=Polarity.DISLIKE,
                  source=Source.IMPLICIT, confidence=0.4)
        store.set("bob", PrefKey.MUSIC_GENRE, "jazz")
        store.add_correction("alice", "the big light", "living room light")
        assert store.schema_version == SCHEMA_VERSION
    with PreferenceStore.open(postgres_db) as again:   # a second open migrates nothing
        assert again.liked("alice", PrefKey.MUSIC_GENRE) == ["rock", "jazz"]   # latest first
        assert again.liked("alice", PrefKey.HOME_CITY) == ["Boston"]
        assert again.disliked("alice", PrefKey.MUSIC_GENRE) == ["country"]
        [disliked] = [p for p in again.get("alice") if p.polarity is Polarity.DISLIKE]
        assert (disliked.source, disliked.confidence) == (Source.IMPLICIT, pytest.approx(0.4))
        assert [(c.said, c.meant) for c in again.corrections("alice")] == [("the big light", "living room light")]
        assert sorted(again.users()) == ["alice", "bob"]
        assert again.forget("alice") == 5   # four preferences and the correction
        assert again.get("alice") == [] and again.liked("bob", PrefKey.MUSIC_GENRE) == ["jazz"]


def test_habits_round_trip(postgres_db: str) -> None:
    from assistant.habits.store import HabitStore, MarkKind

    with HabitStore.open(postgres_db, now=lambda: _when(30)) as store:
        store.save_concept("alice", "movie night", ["dim the lights", "turn on the tv"])
        store.save_concept("alice", "movie night", ["turn on the tv"])   # taught again: replaced
        store.mark("alice", list(MarkKind)[0], "music_genre", "jazz", detail="played")
    with HabitStore.open(postgres_db) as again:
        [concept] = again.concepts("alice")
        assert (concept.name, concept.steps) == ("movie night", ("turn on the tv",))
        [mark] = again.marks("alice")
        assert (mark.key, mark.value, mark.detail, mark.at) == ("music_genre", "jazz", "played", _when(30))
        assert again.concepts("bob") == [] and again.marks("bob") == []
        assert again.forget_concept("alice") == 1
        again.clear()
        assert again.marks() == []


def _turn(user: str, minute: int, text: str, **fields):
    from assistant.learning.log import TurnRecord

    return TurnRecord(user_id=user, device_id="kitchen_speaker", session_id=f"{user}-s1",
                      timestamp=_when(minute), text=text, **fields)


def test_interaction_log_round_trip(postgres_db: str) -> None:
    from assistant.learning.log import Feedback, InteractionLog
    from simulator import truth_store  # the simulator's truth: a table of its own beside the log

    with InteractionLog.open(postgres_db) as log:
        first = log.record(_turn("alice", 1, "play maj and dragons", intent="play_media", confidence=0.41,
                                 entities=[{"entity": "artist", "value": "maj and dragons"}],
                                 actions=["action_play_media"], reply="I couldn't find that.",
                                 problems=["NOT_FOUND"], context={"room": "kitchen", "home": {"oven": {"power": "off"}}},
                                 asr_confidence=0.6, nlu_margin=0.1))
        ids = log.record_many([_turn("alice", 2, "play imagine dragons", intent="play_media",
                                     directives=["play kitchen_speaker Believer|song"]),
                               _turn("bob", 3, "turn on the lights", refused=[["turn_on x", "NO_SUCH_DEVICE", "no"]])])
        log.add_feedback(first, **{Feedback.REPHRASE: True})
        log.add_feedback(first, **{Feedback.BARGE_IN: True})
        truth_store.for_log(log).merge(first, {"failure_point": "asr"}, user_id="alice")   # its own table
    with InteractionLog.open(postgres_db) as again:
        assert again.count() == 3
        stored = again.get(first)
        assert stored is not None
        assert stored.timestamp == _when(1) and stored.text == "play maj and dragons"
        assert stored.entities == [{"entity": "artist", "value": "maj and dragons"}]
        assert stored.context["home"] == {"oven": {"power": "off"}}
        assert stored.feedback == {Feedback.REPHRASE: True, Feedback.BARGE_IN: True}
        assert stored.truth is None and stored.defect_signalled
        assert truth_store.attach_beside(again.url, [stored])[0].truth == {"failure_point": "asr"}
        assert [t.id for t in again.turns(since_id=first)] == ids
        assert [t.text for t in again.turns(user_id="bob", light=True)] == ["turn on the lights"]
        assert again.get(ids[0]).directives == ["play kitchen_speaker Believer|song"]
        assert again.get(ids[1]).refused == [["turn_on x", "NO_SUCH_DEVICE", "no"]]
        assert again.skipped_rows == 0


def test_rewrites_and_index_round_trip(postgres_db: str) -> None:
    from assistant.learning import index
    from assistant.learning.log import Feedback, InteractionLog
    from assistant.learning.rewrites import MinedPair, Rewrite, RewriteStore, State

    with RewriteStore.open(postgres_db) as store:
        diff = store.apply_mined([MinedPair("play maj and dragons", "play imagine dragons", support=3,
                                            probability=0.9, supporters=("alice", "bob", "carol")),
                                  MinedPair("lights of", "lights off", support=2, probability=0.8, user_id="alice")])
        assert len(diff.added) == 2
        found = store.lookup("Play maj and dragons", "dave")
        assert found is not None and found.target == "play imagine dragons" and found.is_global
        assert store.lookup("lights of", "bob") is None and store.lookup("lights of", "alice").target == "lights off"
        personal = store.add(Rewrite(source="big light", target="living room light", user_id="alice"))
        assert store.add(Rewrite(source="big light", target="living room light", user_id="alice")).id == personal.id
        rewrite = found
        for _ in range(3):
            rewrite = store.record_outcome(rewrite.id, won=False)
        assert rewrite.losses == 3 and rewrite.state is State.RETIRED
        generation = store.generation()
        blocked = store.block(personal.id)
        assert blocked.state is State.BLOCKED and store.generation() > generation
        with InteractionLog.open(postgres_db) as log:
            first = log.record(_turn("alice", 1, "lights of"))
            log.add_feedback(first, **{Feedback.REPHRASE: True})
            log.record(_turn("alice", 2, "lights off", directives=["turn_off kitchen_light"]))
            assert index.rebuild(log, store) == 4   # each text for alice and for everyone
        assert {(s.text, s.user_id) for s in index.load(store)} == {
            ("lights of", "alice"), ("lights off", "alice"), ("lights of", "*"), ("lights off", "*")}
    with RewriteStore.open(postgres_db) as again:
        stored = again.get(found.id)
        assert stored is not None and stored.supporters == ("alice", "bob", "carol")
        assert {(r.source, r.state) for r in again.all()} >= {("play maj and dragons", State.RETIRED)}
        index.clear(again)
        assert index.load(again) == []
        again.clear()
        assert again.all() == []


def test_vector_cache_round_trip(postgres_db: str) -> None:
    import numpy as np

    from assistant.learning.vector_cache import VectorCache

    calls: list[list[str]] = []

    def encode(texts):
        calls.append(list(texts))
        return [np.full(4, float(len(t)), dtype=np.float32) / (2 * len(t)) for t in texts]

    engine = create_engine(postgres_db)
    try:
        first = VectorCache(engine, encode=encode, dimensions=4).vectors(["on", "off"])
        again = VectorCache(engine, encode=encode, dimensions=4)
        assert np.allclose(again.vectors(["off", "on"]), first[::-1])
        assert calls == [["on", "off"]] and again.hits == 2
    finally:
        engine.dispose()


def test_analytics_reads_a_postgresql_log(postgres_db: str) -> None:
    from assistant.analytics.segment import sessions
    from assistant.learning.log import InteractionLog

    with InteractionLog.open(postgres_db) as log:
        log.record_many([_turn("alice", 1, "turn on the lights"), _turn("alice", 2, "turn on the lights"),
                         _turn("bob", 3, "what time is it")])
        grouped = sessions(log.turns())
    assert {key: [t.text for t in turns] for key, turns in grouped.items()} == {
        ("alice", "alice-s1"): ["turn on the lights", "turn on the lights"],
        ("bob", "bob-s1"): ["what time is it"]}


def _open_all(url: str) -> str:
    from assistant.habits.store import HabitStore
    from assistant.learning.log import InteractionLog
    from assistant.learning.rewrites import RewriteStore
    from assistant.prefs.store import PreferenceStore

    for store in (PreferenceStore, HabitStore, InteractionLog, RewriteStore):
        store.open(url).close()
    return "ok"


def test_several_processes_create_the_schema_at_once(postgres_db: str) -> None:
    """Two servers starting together both create the tables: neither may fail."""
    with multiprocessing.get_context("spawn").Pool(3) as pool:
        assert pool.map(_open_all, [postgres_db] * 3) == ["ok"] * 3


def test_create_all_is_idempotent_on_postgresql(postgres_db: str) -> None:
    import sqlalchemy as sa

    metadata = sa.MetaData()
    sa.Table("things", metadata, sa.Column("id", sa.Integer, primary_key=True))
    engine = create_engine(postgres_db)
    try:
        create_all(metadata, engine)
        create_all(metadata, engine)
        assert "things" in sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_service_tables_round_trip(postgres_db: str) -> None:
    """The service's homes (row version), tokens and idempotency keys on PostgreSQL."""
    from concurrent.futures import ThreadPoolExecutor

    from assistant.home import Directive, Home
    from assistant.service.homes import HomeStore, VersionConflict
    from assistant.service.idempotency import ClaimState, IdempotencyStore
    from assistant.service.tables import ServiceDB
    from assistant.service.tokens import TokenStore

    db = ServiceDB.open(postgres_db)
    try:
        tokens, homes, keys = TokenStore(db), HomeStore(db), IdempotencyStore(db, lease=30)
        _info, north = tokens.create("north")
        _info, south = tokens.create("south")
        assert (tokens.authenticate(north), tokens.authenticate(south), tokens.authenticate("nope")) == \
            ("north", "south", None)
        homes.register(Home.default(), "north")
        home, version = homes.load("north")
        home.apply(Directive.parse("turn_on kitchen_light"))
        assert homes.save("north", home, version, events=[{"kind": "state"}]) == version + 1
        with pytest.raises(VersionConflict):
            homes.save("north", home, version)   # a stale writer loses, nothing is overwritten
        assert homes.load("north")[0].devices["kitchen_light"].state["power"] == "on"
        assert [e["kind"] for _, e in homes.events_since("north")] == ["state"]
        # two servers racing for one idempotency key: exactly one runs the turn
        with ThreadPoolExecutor(4) as pool:
            claims = list(pool.map(lambda _: keys.claim("north", "turn-1"), range(4)))
        runners = [c for c in claims if c.state is ClaimState.RUN]
        assert len(runners) == 1 and all(c.state is ClaimState.BUSY for c in claims if c not in runners)
        keys.finish("north", "turn-1", runners[0].owner, {"replies": ["done"]})
        again = keys.claim("north", "turn-1")
        assert again.state is ClaimState.DONE and again.answer == {"replies": ["done"]}
        assert keys.claim("south", "turn-1").state is ClaimState.RUN   # keys are per home
    finally:
        db.close()
