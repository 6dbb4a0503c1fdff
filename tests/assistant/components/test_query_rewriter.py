"""QueryRewriter: the user's corrections applied to the message text, the original kept."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from assistant.components.query_rewriter import ORIGINAL, REWRITE, QueryRewriter
from assistant.learning.online import apply_corrections


@pytest.mark.parametrize(("text", "corrections", "expected"), [
    ("turn on the big light", [("the big light", "the living room light")], "turn on the living room light"),
    ("Turn on THE BIG LIGHT please", [("the big light", "the living room light")],
     "Turn on the living room light please"),
    ("turn on the big lighthouse", [("the big light", "the living room light")], "turn on the big lighthouse"),
    ("play tunes", [("tunes", "music"), ("play tunes", "play jazz")], "play jazz"),
    ("turn on the lights", [], "turn on the lights"),
    ("a $ (b) [c]", [("(b)", "x")], "a $ x [c]"),
])
def test_apply_corrections(text: str, corrections, expected: str) -> None:
    assert apply_corrections(text, corrections)[0] == expected




def message(text: str, user_id: str | None) -> Message:
    return Message(data={"text": text, "metadata": {"user_id": user_id} if user_id else {}})


def test_only_the_speaking_users_corrections_apply(store) -> None:
    store.add_correction("alice", "the big light", "the living room light")
    alice, bob, nobody = message("turn on the big light", "alice"), message("turn on the big light", "bob"), \
        message("turn on the big light", None)
    QueryRewriter({}).process([alice, bob, nobody])
    assert alice.get("text") == "turn on the living room light"
    assert alice.get(ORIGINAL) == "turn on the big light"
    assert alice.get(REWRITE)["source"] == "personal_correction"
    assert bob.get("text") == nobody.get("text") == "turn on the big light"
    assert bob.get(ORIGINAL) is None


def test_forgetting_everything_removes_corrections(store) -> None:
    store.add_correction("alice", "the big light", "the living room light")
    store.forget("alice")
    msg = message("turn on the big light", "alice")
    QueryRewriter({}).process([msg])
    assert msg.get("text") == "turn on the big light"
