"""Forgetting means forgetting: after "forget everything about me" and a yes, every store is
walked and holds nothing of the user, while another user's data stays."""

from __future__ import annotations

import functools

import sqlalchemy as sa
import yaml

from assistant.habits.hook import habit_store
from assistant.learning import index
from assistant.learning.rewrites import Origin, Rewrite
from assistant.modelstore import history
from assistant.paths import DataDir
from assistant.privacy import forget_conversations, forget_everywhere, forget_learned


def _learned(data: DataDir, users_by_text: dict[str, list[str]]) -> None:
    data.learned_dir.mkdir(parents=True, exist_ok=True)
    examples = [{"text": t, "metadata": {"learned": {"users": u, "confidence": 0.97}}} for t, u in users_by_text.items()]
    data.learned_nlu.write_text(yaml.safe_dump({"version": "3.1", "nlu": [{"intent": "turn_on", "examples": examples}]}))


def _tracker_senders(data: DataDir) -> set[str]:
    engine = sa.create_engine(data.tracker_url)
    try:
        with engine.connect() as conn:
            return set(conn.execute(sa.text("SELECT DISTINCT sender_id FROM events")).scalars())
    finally:
        engine.dispose()


def _everything_of(rt, user: str) -> dict[str, object]:
    data = rt.data
    return {
        "preferences": rt.preferences.get(user),
        "corrections": rt.preferences.corrections(user),
        "concepts": habit_store(rt).concepts(user),
        "marks": habit_store(rt).marks(user_id=user),
        "log": list(rt.log.turns(user_id=user)),
        "rewrites": [r for r in rt.rewrites.all(user_id=user) if r.user_id == user],
        "index": [s for s in index.load(rt.rewrites) if s.user_id == user],
        "conversations": {s for s in _tracker_senders(data) if s == user or s.startswith(f"{user}~")},
        "learned": [e for e in (yaml.safe_load(data.learned_nlu.read_text())["nlu"][0]["examples"]
                                if data.learned_nlu.exists() else []) if user in e["metadata"]["learned"]["users"]],
        "models": [e.id for e in history.entries(data) if user in e.learned_users],
    }


def test_forget_everything_reaches_every_store(fresh) -> None:
    rt = fresh
    rt.reset_learning()
    given = rt.forget
    # The runtime runs the handler it was given; retraining the session's model would change it for other tests.
    rt.forget = functools.partial(forget_everywhere, retrain=False)
    for user in ("fay", "gus"):
        rt.handle("I love jazz", user_id=user, device_id="kitchen_speaker")
        rt.handle("when I say the big light I mean the living room light", user_id=user, device_id="kitchen_speaker")
        rt.handle("turn on the kitchen lights", user_id=user, device_id="kitchen_speaker")
        rt.rewrites.add(Rewrite(source="tun on the lights", target="turn on the lights", user_id=user,
                                origin=Origin.RETRIEVAL, support=1, probability=0.9))
    index.rebuild(rt.log, rt.rewrites)
    _learned(rt.data, {"flick the lamp on": ["fay"], "lamp on now": ["gus"], "lamps on": ["fay", "gus"]})
    history.record(rt.data, rt.model_path, "f" * 64,
                   training={"learned_users": ["fay", "gus"]}, figures={})
    before = _everything_of(rt, "fay")
    assert all(before[k] for k in ("preferences", "log", "rewrites", "index", "conversations", "learned", "models")), before

    assert rt.handle("forget everything about me", user_id="fay", device_id="kitchen_speaker").reply.startswith("Forget")
    done = rt.handle("yes", user_id="fay", device_id="kitchen_speaker")
    assert done.forgot == ["*"] and done.reply.startswith("Done: I've forgotten everything")
    assert rt.last_forget is not None and rt.last_forget.removed["learned_examples"] == 2

    left = _everything_of(rt, "fay")
    assert all(not v for v in left.values()), {k: v for k, v in left.items() if v}
    other = _everything_of(rt, "gus")
    assert other["preferences"] and other["log"] and other["conversations"] and other["learned"]
    rt.forget = given
    rt.data.learned_nlu.unlink()
    for entry in history.entries(rt.data):
        history.drop_user(rt.data, "gus")
    rt.reset_learning()


def test_without_a_forget_handler_the_user_is_told_and_nothing_else_goes(fresh) -> None:
    from assistant.pipeline import CANNOT_FORGET_REPLY

    rt = fresh
    rt.reset_learning()
    given, rt.forget = rt.forget, None
    last = rt.last_forget
    try:
        rt.handle("I love jazz", user_id="hal", device_id="kitchen_speaker")
        rt.handle("forget everything about me", user_id="hal", device_id="kitchen_speaker")
        done = rt.handle("yes", user_id="hal", device_id="kitchen_speaker")
    finally:
        rt.forget = given
    assert done.forgot == ["*"] and done.replies[-1] == CANNOT_FORGET_REPLY
    assert rt.unhandled_forgets[-1] == "hal" and rt.last_forget is last
    assert not rt.preferences.get("hal")                       # the action's part happened
    turns = list(rt.log.turns(user_id="hal"))
    assert len(turns) == 3 and CANNOT_FORGET_REPLY in turns[-1].reply   # logged as heard, kept
    rt.unhandled_forgets.clear()
    rt.reset_learning()


def test_forget_conversations_escapes_wildcards(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT)"))
        for sender in ("a_b", "a_b~1", "axb~1", "a_bc", "other"):
            conn.execute(sa.text("INSERT INTO events (sender_id) VALUES (:s)"), {"s": sender})
    assert forget_conversations(url, "a_b") == 2
    with engine.connect() as conn:
        assert set(conn.execute(sa.text("SELECT sender_id FROM events")).scalars()) == {"axb~1", "a_bc", "other"}
    engine.dispose()


def test_forget_learned_keeps_others_and_tolerates_no_file(tmp_path) -> None:
    data = DataDir(tmp_path).ensure()
    assert forget_learned(data, "fay") == 0
    _learned(data, {"one": ["fay"], "two": ["gus"]})
    assert forget_learned(data, "fay") == 1
    texts = [e["text"] for e in yaml.safe_load(data.learned_nlu.read_text())["nlu"][0]["examples"]]
    assert texts == ["two"]
