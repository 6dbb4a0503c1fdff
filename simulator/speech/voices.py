"""Who speaks and where: a person's voice, and the room between them and the device."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from simulator.speech.config import SpeechConfig


@dataclass(frozen=True)
class Speaker:
    """One person's voice: TTS pace (1.0 = the voice's own), pitch shift and loudness."""

    speed: float
    pitch: float        # semitones
    level: float        # dB against a normal voice
    hardness: float     # 0..1, what the three were drawn from

    def key(self) -> str:
        return f"{self.speed:.3f}/{self.pitch:.2f}/{self.level:.2f}"


@dataclass(frozen=True)
class Acoustics:
    """The path from a person to one device: distance (m) and the room's reverberation (s)."""

    distance: float
    rt60: float

    def key(self) -> str:
        return f"{self.distance:.2f}/{self.rt60:.2f}"


@dataclass(frozen=True)
class Surroundings:
    """Where a turn is heard: the device, its room, and what the home is doing near it."""

    home: str           # whose home (every household has its own rooms)
    device_id: str
    device_kind: str
    room: str
    media_playing: bool = False
    appliance_running: bool = False

    def noise_key(self) -> str:
        return f"media={int(self.media_playing)}/appliance={int(self.appliance_running)}"


def speaker_for(key: str, config: SpeechConfig) -> Speaker:
    """The voice of the person ``key`` (the same key, the same voice)."""
    rng = random.Random(f"speaker:{key}")
    hardness = rng.betavariate(*config.hardness)
    speed = 1.0 + rng.choice((-1.0, 1.0)) * hardness * config.speed * rng.uniform(0.6, 1.0)
    pitch = rng.choice((-1.0, 1.0)) * hardness * config.pitch * rng.uniform(0.5, 1.0)
    level = -hardness * config.level * rng.uniform(0.5, 1.0) + rng.uniform(-1.0, 2.0)
    return Speaker(round(speed, 3), round(pitch, 2), round(level, 2), round(hardness, 3))


def acoustics_for(where: Surroundings, seed: int, config: SpeechConfig) -> Acoustics:
    """The path to ``where.device_id`` in ``where.home`` (fixed per home, device and seed)."""
    rng = random.Random(f"room:{seed}:{where.home}:{where.device_id}")
    distance = rng.uniform(*config.distance.get(where.device_kind, config.default_distance))
    rt60 = rng.uniform(*config.rt60.get(where.room, config.default_rt60))
    return Acoustics(round(distance, 2), round(rt60, 2))


def snr_db(speaker: Speaker, acoustics: Acoustics, where: Surroundings, config: SpeechConfig) -> float:
    """Speech over noise at the device: a normal voice at 1 m, less the spreading loss, less
    what the home is doing in that room."""
    snr = config.snr_at_1m + speaker.level - 20.0 * math.log10(max(acoustics.distance, 0.1))
    if where.media_playing:
        snr -= config.media_noise
    if where.appliance_running:
        snr -= config.appliance_noise
    return snr
