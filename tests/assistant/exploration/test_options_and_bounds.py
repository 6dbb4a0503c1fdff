"""The exploration question's words, the reading of its answer, and the bounds over the log."""

from __future__ import annotations

import datetime as dt

import pytest

from assistant.exploration import NEITHER, UNCLEAR
from assistant.exploration.bounds import Bounds, Refusal, refusal, torn
from assistant.exploration.options import askable, descriptions, question, resolve
from assistant.learning.log import ExploreHistory, InteractionLog, TurnRecord

OPTIONS = ("play_media", "ask_weather")


@pytest.mark.parametrize("answer, intent, expected", [
    ("the music", None, "play_media"),
    ("play something", None, "play_media"),
    ("the radio", None, "play_media"),
    ("the first one", None, "play_media"),
    ("the second", None, "ask_weather"),
    ("no, the second one", None, "ask_weather"),
    ("the latter please", None, "ask_weather"),
    ("tell me the forecast", None, "ask_weather"),
    ("neither", None, NEITHER),
    ("no, something else", None, NEITHER),
    ("neither of those, the music", None, NEITHER),
    ("nope", None, NEITHER),
    ("yes", None, UNCLEAR),
    ("hmm", "ask_weather", "ask_weather"),     # the answer's own NLU intent, when it is an option
    ("hmm", "turn_on", UNCLEAR),
])
def test_the_answer_picks_an_option_or_neither(answer: str, intent: str | None, expected: str) -> None:
    assert resolve(answer, OPTIONS, intent) == expected


def test_a_confident_other_request_is_no_answer() -> None:
    options = ("turn_on", "ask_device_state")
    assert resolve("can you tell me good place to eat", options, "find_restaurant", 0.9) == UNCLEAR
    assert resolve("can you tell me good place to eat", options, "find_restaurant", 0.3) == UNCLEAR  # "tell" is no pick
    assert resolve("the second one", options, "find_restaurant", 0.9) == "ask_device_state"
    assert resolve("turn something on please", options, "turn_on", 0.9) == "turn_on"


def test_words_both_options_share_pick_neither() -> None:
    assert resolve("the light", ("set_brightness", "set_color")) == UNCLEAR
    assert resolve("the colour", ("set_brightness", "set_color")) == "set_color"


def test_every_description_is_one_short_phrase_and_only_requests_are_askable() -> None:
    table = descriptions()
    assert table and all(0 < len(d.says.split()) <= 7 and d.words for d in table.values())
    from assistant.selflearn.candidates import domain_intents

    assert set(table) <= domain_intents()
    assert not any(askable(i) for i in ("greet", "affirm", "deny", "out_of_scope", "nlu_fallback", "complain"))
    assert question(OPTIONS) == "Sorry, I'm not sure what you meant. Should I play something, or tell you the weather?"


def test_torn_needs_two_close_askable_readings() -> None:
    bounds = Bounds(margin=0.15, min_second=0.15)
    ranking = [{"name": "ask_weather", "confidence": 0.3}, {"name": "nlu_fallback", "confidence": 0.35},
               {"name": "play_media", "confidence": 0.4}]
    assert torn(ranking, bounds) == ("play_media", "ask_weather")
    assert torn(ranking[:2], bounds) is None
    assert torn([{"name": "play_media", "confidence": 0.5}, {"name": "ask_weather", "confidence": 0.3}], bounds) is None


def record(text: str, seconds: int, *, user: str = "alice", asked: list[str] | None = None,
           choice: str | None = None, intent: str = "play_media", feedback: dict | None = None) -> TurnRecord:
    return TurnRecord(user_id=user, device_id="kitchen_speaker", session_id=user,
                      timestamp=dt.datetime(2026, 1, 5, 8) + dt.timedelta(seconds=seconds), text=text,
                      intent=intent, confidence=0.9, explore_asked=asked or [], explore_choice=choice,
                      feedback=feedback or {})


def test_the_share_the_row_and_words_that_usually_work() -> None:
    bounds = Bounds(max_share=0.1, known_good_successes=2)
    assert refusal(ExploreHistory(40, 0, False, []), bounds) is None
    assert refusal(ExploreHistory(8, 0, False, []), bounds) is Refusal.SHARE      # 1 of 9 > 10%
    assert refusal(ExploreHistory(40, 4, False, []), bounds) is Refusal.SHARE     # a 5th of 41
    assert refusal(ExploreHistory(40, 3, False, []), bounds) is None
    assert refusal(ExploreHistory(40, 0, True, []), bounds) is Refusal.IN_A_ROW
    worked = [record("play it", i) for i in range(2)]
    failed = [record("play it", i, feedback={"repeat": True}) for i in range(3)]
    assert refusal(ExploreHistory(40, 0, False, worked), bounds) is Refusal.USUALLY_WORKS
    assert refusal(ExploreHistory(40, 0, False, worked + failed), bounds) is None
    assert refusal(None, bounds) is Refusal.NO_LOG


def test_the_log_keeps_questions_and_answers_and_reports_the_history(tmp_path) -> None:
    log = InteractionLog.open(tmp_path / "learning.db")
    try:
        for i in range(5):
            log.record(record("Play It", i))
        log.record(record("play it", 10, asked=list(OPTIONS)))
        log.record(record("the music", 20, choice="play_media"))
        log.record(record("play it", 30, user="bob"))
        stored = list(log.turns())
        assert stored[5].explore_asked == list(OPTIONS) and stored[6].explore_choice == "play_media"
        assert stored[0].explore_asked == [] and stored[0].explore_choice is None
        history = log.explore_history("alice", "PLAY IT")
        assert (history.turns, history.questions, history.asked_recently) == (7, 1, True)
        # the same words from anyone, never the question itself or an answer
        assert len(history.same_text) == 6 and all(not r.explore_asked for r in history.same_text)
        assert not log.explore_history("bob", "x").asked_recently
    finally:
        log.close()


def test_an_older_log_gets_the_new_columns(tmp_path) -> None:
    import sqlalchemy as sa

    path = tmp_path / "old.db"
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE turns (id INTEGER PRIMARY KEY, user_id VARCHAR(100) NOT NULL, "
                             "device_id VARCHAR(100) NOT NULL, session_id VARCHAR(120) NOT NULL, "
                             "timestamp DATETIME NOT NULL, text VARCHAR(500) NOT NULL, text_rewritten VARCHAR(500), "
                             "rewrite_source VARCHAR(30), rewrite_id INTEGER, intent VARCHAR(80), confidence FLOAT, "
                             "entities TEXT NOT NULL, actions TEXT NOT NULL, reply TEXT NOT NULL, "
                             "directives TEXT NOT NULL, refused TEXT NOT NULL, problems TEXT NOT NULL, "
                             "context TEXT NOT NULL, asr_confidence FLOAT, barge_in BOOLEAN NOT NULL, "
                             "feedback TEXT NOT NULL, truth TEXT)"))
        conn.execute(sa.text("INSERT INTO turns VALUES (1, 'alice', 'd', 's', '2026-01-05 08:00:00', 'hi', NULL, "
                             "NULL, NULL, 'greet', 0.9, '[]', '[]', '', '[]', '[]', '[]', '{}', NULL, 0, '{}', NULL)"))
    engine.dispose()
    log = InteractionLog.open(path)
    try:
        [old] = list(log.turns())
        assert old.explore_asked == [] and old.explore_choice is None
        assert log.explore_history("alice", "hi").questions == 0
    finally:
        log.close()


def test_only_a_registered_learning_database_is_read(tmp_path) -> None:
    from assistant.exploration import logs
    from assistant.learning import online

    url = f"sqlite:///{tmp_path / 'learning.db'}"
    metadata = {"learning": {"store": url}}
    assert logs.history(metadata, "alice", "x") is None          # not registered: never opened
    online.register(url)
    try:
        log = InteractionLog.open(url)
        log.record(record("play it", 0))
        log.close()
        found = logs.history(metadata, "alice", "play it")
        assert found is not None and found.turns == 1 and len(found.same_text) == 1
    finally:
        online.unregister(url)
    assert logs.history(metadata, "alice", "x") is None and url not in logs._logs
