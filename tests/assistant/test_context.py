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


# The inputs that crashed a turn (issue 18): lone UTF-16 surrogates reached the tokenizer.
CRASHING = ["a\ud83dz", "\udfff hello", "\ud800", "a\ud83dz set an alarm for 7 am"]


@pytest.mark.parametrize("raw", CRASHING + ["x\ufffe y", "\ufdd0play", "tu\udcffrn on", "\ufffd"])
def test_unreadable_characters_are_removed_with_a_notice(raw: str) -> None:
    cleaned = clean_text(raw)
    cleaned.text.encode("utf-8")   # strict: raises if anything unencodable is left
    assert not any(0xD800 <= ord(ch) <= 0xDFFF for ch in cleaned.text)
    assert cleaned.notice is not None and "could not be read" in cleaned.notice


@pytest.mark.parametrize(("raw", "expected"), [
    ("a\ud83dz set an alarm for 7 am", "az set an alarm for 7 am"),
    ("\udfff hello", "hello"),
    ("\ud800", ""),
    (b"\xffturn on the lights", "turn on the lights"),
    (None, ""),
])
def test_what_is_left_after_cleaning(raw: object, expected: str) -> None:
    assert clean_text(raw).text == expected


def test_readable_text_gets_no_notice() -> None:
    assert clean_text("play 🎵 jazz, ça va? 東京").notice is None


def test_both_notices_when_long_and_unreadable() -> None:
    cleaned = clean_text("\ud800" + "word " * 200)
    assert cleaned.notice is not None
    assert "could not be read" in cleaned.notice and "characters; I read" in cleaned.notice


def test_safe_for_terminal_replaces_surrogates() -> None:
    from assistant.context import safe_for_terminal

    assert safe_for_terminal("a\udcffb") == "a\ufffdb"
    assert safe_for_terminal(b"a\xffb") == "a\ufffdb"
    safe_for_terminal("\ud83d\ude00 x").encode("utf-8")
