"""The preference words the actions use: scopes of "forget ...", phrases and summaries."""

from __future__ import annotations

import pytest

from assistant.prefs.keys import Polarity, PrefKey
from assistant.services import preferences as svc


@pytest.mark.parametrize(("text", "scope"), [
    ("forget my music preference", (PrefKey.MUSIC_GENRE, PrefKey.MUSIC_ARTIST)),
    ("forget my team", (PrefKey.SPORTS_TEAM,)),
    ("forget my food preferences", (PrefKey.CUISINE,)),
    ("forget my home city", (PrefKey.HOME_CITY,)),
    ("forget my temperature unit", (PrefKey.TEMPERATURE_UNIT,)),
    ("forget my news source", (PrefKey.NEWS_SOURCE,)),
    ("forget everything about me", None),
    ("forget what you know about me", None),
    ("delete all my data", None),
    ("forget it", ()),
])
def test_forget_scope(text: str, scope) -> None:
    assert svc.forget_scope(text) == scope


@pytest.mark.parametrize("scope", [None, (PrefKey.MUSIC_GENRE, PrefKey.MUSIC_ARTIST), (PrefKey.CUISINE,)])
def test_forget_question_round_trips(scope) -> None:
    assert svc.parse_forget_question(svc.forget_question(scope)) == scope


@pytest.mark.parametrize("pending", ["offer:music_genre", "forget:no_such_key", "forget:", ""])
def test_other_or_garbled_questions_are_not_forget_questions(pending: str) -> None:
    assert svc.parse_forget_question(pending) is False


@pytest.mark.parametrize(("key", "value", "polarity", "words"), [
    (PrefKey.MUSIC_GENRE, "jazz", Polarity.LIKE, "you like jazz"),
    (PrefKey.MUSIC_GENRE, "country", Polarity.DISLIKE, "you don't like country music"),
    (PrefKey.SPORTS_TEAM, "Golden State Warriors", Polarity.LIKE, "you're a Golden State Warriors fan"),
    (PrefKey.CUISINE, "thai", Polarity.LIKE, "you like Thai food"),
    (PrefKey.HOME_CITY, "Wilkerson, California", Polarity.LIKE, "your home city is Wilkerson, California"),
    (PrefKey.TEMPERATURE_UNIT, "celsius", Polarity.LIKE, "you prefer Celsius"),
])
def test_describe(key: PrefKey, value: str, polarity: Polarity, words: str) -> None:
    assert svc.describe(key, value, polarity) == words


def test_join_uses_semicolons_when_values_hold_commas() -> None:
    assert svc.join([]) == ""
    assert svc.join(["a"]) == "a"
    assert svc.join(["a", "b"]) == "a and b"
    assert svc.join(["a, x", "b", "c"]) == "a, x; b and c"


def test_scope_words() -> None:
    assert svc.scope_words(None) == "everything I know about you"
    assert svc.scope_words((PrefKey.CUISINE,)) == "your cuisine preference"
    assert svc.scope_words((PrefKey.MUSIC_GENRE, PrefKey.MUSIC_ARTIST)) == "your music genre and artist preferences"


def test_summary_without_preferences_invites_teaching() -> None:
    assert svc.summary([]).startswith("I don't know anything about you yet.")


def test_which_store(tmp_path, monkeypatch) -> None:
    from assistant.paths import PREFS_URL_ENV, DataDir

    monkeypatch.delenv(PREFS_URL_ENV, raising=False)
    assert DataDir(tmp_path).prefs_url == f"sqlite:///{(tmp_path / 'prefs.db').resolve()}"
    monkeypatch.setattr(svc, "_runtime_url", f"sqlite:///{tmp_path / 'runtime.db'}")
    svc._open.cache_clear()
    try:
        svc.store().set("alice", PrefKey.CUISINE, "thai")
        assert (tmp_path / "runtime.db").exists()
        monkeypatch.setenv(PREFS_URL_ENV, f"sqlite:///{tmp_path / 'shared.db'}")  # e.g. a shared server
        assert DataDir(tmp_path).prefs_url == f"sqlite:///{tmp_path / 'shared.db'}"
        assert svc.store().get("alice") == []
    finally:
        svc._open.cache_clear()


def test_a_closed_runtime_gives_the_store_back_to_the_one_before(monkeypatch) -> None:
    monkeypatch.setattr(svc, "_runtime_url", None)
    first = svc.use("sqlite:///first.db")
    second = svc.use("sqlite:///second.db")          # a second runtime in the same process
    assert (first, second, svc._runtime_url) == (None, "sqlite:///first.db", "sqlite:///second.db")
    svc.release("sqlite:///second.db", second)        # ... closed: the first one's store again
    assert svc._runtime_url == "sqlite:///first.db"
    third = svc.use("sqlite:///third.db")
    svc.release("sqlite:///first.db", first)          # the first closes while the third still runs
    assert svc._runtime_url == "sqlite:///third.db"
    svc.release("sqlite:///third.db", third)
    assert svc._runtime_url == "sqlite:///first.db"


def test_change_note_says_what_a_new_statement_replaces() -> None:
    import datetime as dt

    from assistant.prefs.keys import Source
    from assistant.prefs.store import Preference

    now = dt.datetime(2026, 1, 1)

    def pref(key: PrefKey, value: str, polarity: Polarity) -> Preference:
        return Preference("u", key, value, polarity, Source.STATEMENT, 1.0, now, now)

    before = svc.UserPrefs((pref(PrefKey.MUSIC_GENRE, "jazz", Polarity.LIKE),
                            pref(PrefKey.CUISINE, "thai", Polarity.DISLIKE),
                            pref(PrefKey.SPORTS_TEAM, "Golden State Warriors", Polarity.LIKE)))
    assert svc.change_note(before, PrefKey.MUSIC_GENRE, "Jazz", Polarity.DISLIKE) == \
        " (you'd told me you liked it; I've changed that)"
    assert svc.change_note(before, PrefKey.CUISINE, "thai", Polarity.LIKE) == " (you'd told me you didn't; I've changed that)"
    assert svc.change_note(before, PrefKey.SPORTS_TEAM, "New England Patriots", Polarity.LIKE) == \
        " (instead of Golden State Warriors)"
    assert svc.change_note(before, PrefKey.MUSIC_GENRE, "rock", Polarity.LIKE) == ""   # genres add up
    assert svc.change_note(before, PrefKey.SPORTS_TEAM, "Golden State Warriors", Polarity.LIKE) == ""
