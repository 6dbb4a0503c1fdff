from __future__ import annotations

import pytest

from assistant.context import BadUserIdError, check_user_id, clean_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  turn   on\tthe lights \n", "turn on the lights"),
        ("turn\x00on\x1b[31m the lights", "turn on [31m the lights"),
        ("/greet", "greet"),
        ("//restart now", "restart now"),
        ("", ""),
        ("   \n\t ", ""),
        ("play 🎵 jazz", "play 🎵 jazz"),
        ("'; DROP TABLE events; --", "'; DROP TABLE events; --"),
    ],
)
def test_clean_text(raw: str, expected: str) -> None:
    assert clean_text(raw).text == expected


def test_long_text_is_cut_with_a_notice() -> None:
    cleaned = clean_text("word " * 2000)
    assert len(cleaned.text) <= 500
    assert cleaned.text.endswith("word")
    assert cleaned.notice is not None and "10,000" in cleaned.notice.replace("9,999", "10,000")


@pytest.mark.parametrize("user_id", ["alice", "bob.smith@home", "user_1-2"])
def test_good_user_ids(user_id: str) -> None:
    assert check_user_id(user_id) == user_id


@pytest.mark.parametrize("user_id", ["", "a b", "x" * 65, "robert'); DROP TABLE", "ünï"])
def test_bad_user_ids(user_id: str) -> None:
    with pytest.raises(BadUserIdError, match="invalid user id"):
        check_user_id(user_id)
