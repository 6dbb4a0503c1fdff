"""The speech channel: the said text spoken by a TTS voice, through the room, to a recogniser.

It sits behind the same interface as the confusion table (`simulator.population.channel`).
What is heard depends only on the words, the person's voice, the device's room, what the home
is doing near it, the run's seed and the channel's version: the same person saying the same
words to the same device in the same home state is heard the same way, so a hard phrase fails
again for that person, and for everyone when the recogniser finds it hard. The confidence is
the recogniser's own (its word posteriors), never computed from what was said.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np

from simulator.population.asr import BACKGROUND, Accent, AsrChannel, AsrConfig, Heard
from simulator.speech import audio
from simulator.speech.cache import HeardCache, cache_key
from simulator.speech.config import CHANNEL_VERSION, SpeechConfig
from simulator.speech.engine import Engines, Recognition
from simulator.speech.settings import RecognizerSetup
from simulator.speech.spoken import spoken_form
from simulator.speech.voices import (
    Acoustics,
    Speaker,
    Surroundings,
    acoustics_for,
    snr_db,
    speaker_for,
)

QUIET_ROOM = Surroundings(home="", device_id="kitchen_speaker", device_kind="speaker", room="kitchen")
BACKGROUND_VOICES = 4       # other people in the home whose talk a device may catch


class SpeechChannel:
    """Hears simulated people through hibari and pocketsphinx, with a persistent cache."""

    name = "speech"

    def __init__(self, *, seed: int, cache: HeardCache, setup: RecognizerSetup,
                 config: SpeechConfig | None = None, rates: AsrConfig | None = None) -> None:
        self.seed = seed
        self.cache = cache
        self.setup = setup
        self.config = config or SpeechConfig()
        self.rates = rates or AsrConfig()
        self._engines: Engines | None = None

    @property
    def engines(self) -> Engines:
        """The TTS and the recogniser (loaded on first use; `SpeechUnavailable` when they can't)."""
        if self._engines is None:
            self._engines = Engines.shared(self.setup)
        return self._engines

    def accent_for(self, phrases: list[str], rng: random.Random, *, key: str = "") -> Accent:
        """A voice for the person ``key``. Draws from ``rng`` as the confusion table does, so a
        population is the same people under either channel."""
        AsrChannel(self.rates).accent_for(phrases, rng)
        return Accent(speaker=speaker_for(f"{self.seed}:{key}", self.config))

    def hear(self, said: str, accent: Accent, rng: random.Random, *,
             where: Surroundings | None = None) -> Heard:
        """What the device hears when ``said`` is spoken to it (``rng`` is not needed: the
        result is fixed by voice, room, noise and seed)."""
        speaker = accent.speaker if isinstance(accent.speaker, Speaker) else speaker_for("anyone", self.config)
        heard = self._heard(spoken_form(said), speaker, where or QUIET_ROOM)
        return Heard(said=said, text=heard.text, confidence=heard.confidence,
                     damaged=spoken_form(said, max_words=None).split() != heard.text.split())

    def false_wake(self, rng: random.Random, *, where: Surroundings | None = None) -> Heard | None:
        """Background talk near the device, heard as if meant for it (rate ``rates.false_wake``);
        None when no wake happens or the recogniser makes nothing of it."""
        if rng.random() >= self.rates.false_wake:
            return None
        text = rng.choice(BACKGROUND)
        voice = speaker_for(f"{self.seed}:background:{rng.randrange(BACKGROUND_VOICES)}", self.config)
        place = where or QUIET_ROOM
        far = Acoustics(round(rng.uniform(*self.config.background_distance), 2),
                        acoustics_for(place, self.seed, self.config).rt60)
        heard = self._heard(spoken_form(text), voice, place, acoustics=far)
        if not heard.text:
            return None
        return Heard(said="", text=heard.text, confidence=heard.confidence, damaged=True)

    # -- hearing ---------------------------------------------------------------------------

    def _heard(self, text: str, speaker: Speaker, where: Surroundings,
               acoustics: Acoustics | None = None) -> Recognition:
        if not text:
            return Recognition("", 0.0)
        path = acoustics or acoustics_for(where, self.seed, self.config)
        key = cache_key(CHANNEL_VERSION, self.setup.key(), text, speaker.key(), path.key(),
                        where.noise_key(), where.device_kind, self.seed)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        heard = self._listen(text, speaker, path, where, key)
        self.cache.put(key, heard)
        return heard

    def _listen(self, text: str, speaker: Speaker, path: Acoustics, where: Surroundings, key: str) -> Recognition:
        engines = self.engines
        draw = int(key[:12], 16)
        rng = np.random.default_rng(draw)
        factor = 2.0 ** (speaker.pitch / 12.0)
        spoken = engines.voice.say(text, speed=speaker.speed / factor, seed=draw % 2**31)
        speech = audio.to_device_rate(spoken, speaker.pitch)
        length = speech.size + int((path.rt60 + 2 * audio.PAD) * audio.RATE) + 1
        noise = self._noise(length, where, rng, draw)
        heard = audio.through_room(speech, rt60=path.rt60, distance=path.distance,
                                   snr_db=snr_db(speaker, path, where, self.config), noise=noise, rng=rng,
                                   suppressed=self.config.suppressed)
        return engines.recognizer.recognize(audio.to_pcm16(heard))

    def _noise(self, length: int, where: Surroundings, rng: np.random.Generator, draw: int) -> np.ndarray:
        """The home's hum; over it, music, or a TV's talk, when something plays in the room."""
        hum = audio.pink_noise(length, rng)
        if not where.media_playing:
            return hum
        if where.device_kind == "tv":
            line = BACKGROUND[draw % len(BACKGROUND)]
            talk = audio.to_device_rate(self.engines.voice.say(line, speed=1.0, seed=draw % 9973), 0.0)
            media = np.resize(talk, length) / (np.std(talk) + 1e-12)
        else:
            media = audio.music(length, rng)
        mixed = 0.3 * hum + media
        return mixed / (np.std(mixed) + 1e-12)


def open_cache(data_dir: Path | None) -> HeardCache:
    """The heard-results cache in ``data_dir/speech`` (in memory when there is no data folder)."""
    return HeardCache(None if data_dir is None else Path(data_dir) / "speech" / "heard.db")
