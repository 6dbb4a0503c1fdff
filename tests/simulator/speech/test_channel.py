"""The speech channel through the real TTS and recogniser: deterministic, cached, its own
confidence, a clear outcome on text nobody can say, and one line when a package is missing."""

from __future__ import annotations

import builtins
import random
from pathlib import Path

import pytest

from simulator.population.asr import Accent
from simulator.population.channel import make_channel
from simulator.speech.cache import HeardCache
from simulator.speech.channel import SpeechChannel
from simulator.speech.engine import Engines, SpeechUnavailable
from simulator.speech.settings import recognizer_setup
from simulator.speech.voices import Surroundings

KITCHEN = Surroundings(home="sim3_u000", device_id="kitchen_speaker", device_kind="speaker", room="kitchen")
PLAYING = Surroundings(home="sim3_u000", device_id="kitchen_speaker", device_kind="speaker", room="kitchen",
                       media_playing=True)
SAID = ("turn on the kitchen light", "play some jazz in the kitchen")


def _channel(seed: int = 3, path: Path | None = None) -> SpeechChannel:
    return SpeechChannel(seed=seed, cache=HeardCache(path), setup=recognizer_setup(None))


def _accent(channel: SpeechChannel, user: str = "sim3_u000") -> Accent:
    return channel.accent_for(["jazz"], random.Random(0), key=user)


def test_the_same_words_voice_room_and_noise_are_heard_the_same_way() -> None:
    first, second = _channel(), _channel()         # two caches: both really speak and recognise
    heard = [first.hear(s, _accent(first), random.Random(1), where=KITCHEN) for s in SAID]
    again = [second.hear(s, _accent(second), random.Random(99), where=KITCHEN) for s in SAID]
    assert [(h.text, h.confidence) for h in heard] == [(h.text, h.confidence) for h in again]
    assert first.cache.misses == len(SAID) and second.cache.misses == len(SAID)
    for h in heard:
        assert h.said in SAID and h.text and 0.0 <= h.confidence <= 1.0
        assert h.damaged == (h.text.split() != h.said.split())


def test_a_repeated_utterance_comes_from_the_cache(tmp_path: Path) -> None:
    path = tmp_path / "heard.db"
    channel = _channel(path=path)
    heard = channel.hear(SAID[0], _accent(channel), random.Random(1), where=KITCHEN)
    reopened = _channel(path=path)
    again = reopened.hear(SAID[0], _accent(reopened), random.Random(2), where=KITCHEN)
    assert (reopened.cache.hits, reopened.cache.misses) == (1, 0)
    assert reopened._engines is None             # nothing was spoken or recognised again
    assert again == heard


def test_noise_voice_and_seed_are_part_of_what_is_heard() -> None:
    channel = _channel()
    quiet = channel.hear(SAID[1], _accent(channel), random.Random(1), where=KITCHEN)
    loud = channel.hear(SAID[1], _accent(channel), random.Random(1), where=PLAYING)
    other = channel.hear(SAID[1], _accent(channel, "sim3_u001"), random.Random(1), where=KITCHEN)
    assert channel.cache.misses == 3                 # three different keys: nothing reused
    assert len({(h.text, h.confidence) for h in (quiet, loud, other)}) >= 2
    reseeded = _channel(seed=4)
    reseeded.cache = channel.cache                   # the same cache: a new seed is still a new key
    reseeded.hear(SAID[1], _accent(reseeded), random.Random(1), where=KITCHEN)
    assert channel.cache.misses == 4


def test_text_nobody_can_say_is_heard_as_nothing_without_loading_anything() -> None:
    channel = _channel()
    for said in ("", "   ", "🙂🙂🙂", "\x00\x01"):
        heard = channel.hear(said, _accent(channel), random.Random(1), where=KITCHEN)
        assert (heard.text, heard.confidence, heard.damaged) == ("", 0.0, False)
    assert channel._engines is None


def test_very_long_text_is_cut_and_heard() -> None:
    channel = _channel()
    heard = channel.hear("please turn on the light " * 2000, _accent(channel), random.Random(1), where=KITCHEN)
    assert 0 < len(heard.text.split()) <= 120 and heard.damaged


def test_a_false_wake_is_background_talk_heard_by_the_device() -> None:
    channel = _channel()
    wakes = [channel.false_wake(random.Random(f"wake:{i}"), where=KITCHEN) for i in range(120)]
    heard = [w for w in wakes if w is not None]
    assert heard, "about 3% of goals start with a false wake"
    assert all(w.said == "" and w.damaged and w.text for w in heard)


def test_a_missing_package_stops_the_run_with_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_hibari(name: str, *args, **kwargs):  # type: ignore[no-untyped-def]
        if name.startswith("hibari"):
            raise ImportError("No module named 'hibari'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_hibari)
    monkeypatch.setattr(Engines, "_shared", {})
    with pytest.raises(SpeechUnavailable) as caught:
        make_channel("speech", seed=1, data_dir=None)
    message = str(caught.value)
    assert "hibari-tts" in message and "--asr confusions" in message and "\n" not in message
