"""The ranges the speech channel draws voices, rooms and noise from (calibrated, see docs/RESULTS.md).

Tuned on seed 5 (12 users x 2 days, real phrasing): the recogniser alone, on clean TTS, gets
0.166 of the words wrong; these ranges add 6.6 points (0.232), the far-field TV the most and the
users spread from 0.12 to 0.39 (SLURP's far-field recordings are 4 points worse than close-talk).

The channel's version is part of every cache key: change it whenever a range, the rendering or
the recogniser's settings change, so that old heard results are never reused.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CHANNEL_VERSION = "speech-2"

Range = tuple[float, float]


@dataclass(frozen=True)
class SpeechConfig:
    """Voices, rooms and noise.

    Attributes:
        hardness: Beta(a, b) of a person's difficulty, 0 (clear, steady) to 1 (fast or slow,
            high or low, quiet); spreads users from easy to hard.
        speed, pitch, level: the widest deviation a hardest person has (TTS pace factor,
            semitones, dB against a normal voice).
        snr_at_1m: speech over the home's quiet background, a normal voice at one metre (dB).
        media_noise, appliance_noise: how much louder the room gets with music or TV playing,
            or a brewing coffee maker (dB).
        distance, rt60: per device kind, metres from the person, and the room's reverberation time.
        background_distance: where background talk comes from (false wakes).
        suppressed: the share of the room's echo a device's front end (microphone array,
            dereverberation) removes before the recogniser hears it.
    """

    hardness: tuple[float, float] = (1.6, 3.0)
    speed: float = 0.2
    pitch: float = 2.0
    level: float = 6.0
    snr_at_1m: float = 36.0
    media_noise: float = 12.0
    appliance_noise: float = 5.0
    distance: dict[str, Range] = field(default_factory=lambda: {
        "alarm_clock": (0.4, 1.0), "speaker": (0.8, 2.5), "tv": (2.0, 4.0)})
    default_distance: Range = (1.0, 2.5)
    rt60: dict[str, Range] = field(default_factory=lambda: {
        "bedroom": (0.2, 0.4), "kitchen": (0.35, 0.7), "living_room": (0.4, 0.8), "office": (0.25, 0.5)})
    default_rt60: Range = (0.3, 0.6)
    background_distance: Range = (2.5, 5.0)
    suppressed: float = 0.95
