"""A fake runtime for population tests: keyword NLU over a real simulated home, an in-memory
log, and an offer to learn the music genre after a complaint when teaching is on."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Iterator

from assistant.catalog import load_catalog
from assistant.home import Home
from assistant.turn import TurnRequest, TurnResult


@dataclass
class FakeRecord:
    id: int
    user_id: str
    text: str
    truth: dict[str, Any] | None = None   # as on a TurnRecord: only what simulator.truth_store attaches


class FakeLog:
    def __init__(self) -> None:
        self.rows: dict[int, FakeRecord] = {}

    def add(self, user_id: str, text: str) -> int:
        turn_id = len(self.rows) + 1
        self.rows[turn_id] = FakeRecord(turn_id, user_id, text)
        return turn_id

    def turns(self) -> Iterator[FakeRecord]:
        return iter(self.rows[k] for k in sorted(self.rows))

    def clear(self) -> None:
        self.rows.clear()


class FakeRuntime:
    """Just enough of the Runtime for a population run."""

    def __init__(self, home: Home | None = None) -> None:
        self.home = home or Home.default()
        self.log = FakeLog()
        self.rewrites = None
        self.learning: Any = None
        self.prefs: dict[tuple[str, str], str] = {}
        self.pending: dict[str, str] = {}
        self.ended: list[tuple[str, bool]] = []
        self.resets = 0
        self.fresh_conversations: list[str] = []
        self.timestamps: list[dt.datetime | None] = []

    # -- the interface -------------------------------------------------------------------

    def replace_home(self, home: Home) -> None:
        self.home = home

    def reset_learning(self) -> None:
        self.resets += 1
        self.log.clear()
        self.prefs.clear()
        self.pending.clear()

    def reset_user(self, user_id: str) -> None:
        self.fresh_conversations.append(user_id)

    def end_session(self, user_id: str, gave_up: bool = False) -> None:
        self.ended.append((user_id, gave_up))
        self.pending.pop(user_id, None)

    def preference(self, user_id: str, key: str) -> str | None:
        return self.prefs.get((user_id, key))

    def handle(self, request: TurnRequest, /) -> TurnResult:
        text, user_id, device_id = request.text, request.user_id, request.device_id
        self.timestamps.append(request.timestamp)
        result = TurnResult(text=text)
        self._respond(text.lower(), user_id, device_id, result)
        for directive in result.directives:
            outcome = self.home.apply(directive)
            if outcome.ok:
                result.applied.append(directive)
            else:
                result.refused.append((directive, outcome.refusal.name if outcome.refusal else "", outcome.message))
        result.turn_id = self.log.add(user_id, text)
        return result

    # -- a keyword assistant ---------------------------------------------------------------

    def _respond(self, text: str, user: str, device_id: str, result: TurnResult) -> None:
        catalog = load_catalog()
        teachable = bool(getattr(self.learning, "teachable", False))
        if self.pending.pop(user, None) == "music_genre":
            genre = next((g for g in catalog.genres if g in text), None)
            if genre:
                self.prefs[(user, "music_genre")] = genre
                result.intent, result.replies = "inform", [f"Thanks, I'll remember that you like {genre}."]
                return
        if "wrong" in text or "not it" in text or "not what" in text:
            result.intent = "complain"
            if teachable:
                result.actions = ["action_offer_teaching"]
                result.replies = ["Sorry about that. What kind of music do you like? I'll remember it."]
                self.pending[user] = "music_genre"
            else:
                result.replies = ["Sorry."]
            return
        room = self.home.devices[device_id].room
        for name, words in catalog.room_words.items():
            if any(f"{w} " in f"{text} " for w in words):
                room = name
        if "light" in text and ("on" in text.split() or "switch on" in text):
            result.intent, result.directives = "turn_on", [f"turn_on {room}_light"]
        elif "light" in text and "off" in text.split():
            result.intent, result.directives = "turn_off", [f"turn_off {room}_light"]
        elif "play" in text or "put on" in text or "hear" in text:
            result.intent = "play_media"
            artist = next((a.name for a in catalog.artists if a.name.lower() in text), None)
            genre = next((g for g in catalog.genres if g in text), None)
            item = artist or genre or self.prefs.get((user, "music_genre")) or "pop"
            result.directives = [f"play {device_id} {item}|music"]
            result.replies = [f"Playing {item}."]
        elif "weather" in text:
            result.intent = "ask_weather"
            city = next((c.label for c in catalog.cities if c.name.lower() in text), "Seattle, Washington")
            result.replies = [f"In {city} today: rainy."]
        else:
            result.intent, result.replies = "out_of_scope", ["Sorry, I can't help with that."]
