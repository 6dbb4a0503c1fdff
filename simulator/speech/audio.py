"""Sound between a mouth and a microphone: the voice's pitch, the room's echo, the home's noise.

Everything is numpy at 16 kHz, drawn from the generator passed in (same generator state, same
samples).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

RATE = 16_000           # what the recogniser hears
TTS_RATE = 24_000       # what the TTS speaks
PAD = 0.15              # seconds of room noise around the speech


def to_device_rate(audio: np.ndarray, pitch: float) -> np.ndarray:
    """TTS audio at 24 kHz to 16 kHz, ``pitch`` semitones higher (lower when negative).

    Played faster by the pitch factor, so the caller slows the TTS pace by the same factor.
    """
    from scipy.signal import resample_poly

    ratio = Fraction(RATE, round(TTS_RATE * 2.0 ** (pitch / 12.0))).limit_denominator(200)
    return resample_poly(audio.astype(np.float64), ratio.numerator, ratio.denominator)


def pink_noise(n: int, rng: np.random.Generator) -> np.ndarray:
    """1/f noise: the hum of a home (ventilation, fridge, street)."""
    spectrum = np.fft.rfft(rng.standard_normal(n))
    spectrum /= np.sqrt(np.maximum(np.arange(spectrum.size), 1.0))
    noise = np.fft.irfft(spectrum, n)
    return noise / (np.std(noise) + 1e-12)


def music(n: int, rng: np.random.Generator) -> np.ndarray:
    """Something playing: notes with harmonics changing every quarter second, over a drum-like hiss."""
    t = np.arange(n) / RATE
    out = np.zeros(n)
    step = int(0.25 * RATE)
    for start in range(0, n, step):
        end = min(n, start + step)
        for _ in range(3):
            f0 = 110.0 * 2.0 ** (rng.integers(0, 36) / 12.0)
            for harmonic in (1, 2, 3):
                out[start:end] += np.sin(2 * np.pi * f0 * harmonic * t[start:end] + rng.uniform(0, 6.3)) / harmonic
    out += 0.5 * pink_noise(n, rng) * (1.0 + np.sin(2 * np.pi * 2.0 * t))
    return out / (np.std(out) + 1e-12)


def room_response(rt60: float, distance: float, rng: np.random.Generator, *, suppressed: float = 0.0) -> np.ndarray:
    """An impulse response: the direct sound, then reverberation decaying 60 dB in ``rt60`` s;
    the farther the speaker, the more of the sound is echo (critical distance about 1 m).
    ``suppressed``: the share of the echo's energy the device's front end (microphone array,
    dereverberation) removes before the recogniser hears it."""
    length = max(1, int(rt60 * RATE))
    t = np.arange(length) / RATE
    tail = rng.standard_normal(length) * np.exp(-6.9 * t / rt60)
    tail[: int(0.003 * RATE)] = 0.0          # the first reflections arrive a few ms late
    reverberant = distance / (distance + 1.0) * (1.0 - suppressed)
    tail *= np.sqrt(reverberant / (np.sum(tail ** 2) + 1e-12))
    response = tail
    response[0] += np.sqrt(1.0 - reverberant)
    return response


def through_room(speech: np.ndarray, *, rt60: float, distance: float, snr_db: float, noise: np.ndarray,
                 rng: np.random.Generator, suppressed: float = 0.0) -> np.ndarray:
    """``speech`` as a device hears it: echoed by the room, under ``noise`` at ``snr_db``, with a
    little of the room before and after. ``noise`` is at least as long as the result."""
    from scipy.signal import fftconvolve

    wet = fftconvolve(speech, room_response(rt60, distance, rng, suppressed=suppressed))[: speech.size + int(rt60 * RATE)]
    pad = np.zeros(int(PAD * RATE))
    wet = np.concatenate([pad, wet, pad])
    active = speech[np.abs(speech) > 0.02 * (np.max(np.abs(speech)) + 1e-12)]
    speech_rms = float(np.sqrt(np.mean(active ** 2))) if active.size else 0.0
    scaled = noise[: wet.size] * speech_rms * 10.0 ** (-snr_db / 20.0)
    return wet + scaled


def to_pcm16(audio: np.ndarray, peak: float = 0.7) -> bytes:
    """Float audio to 16-bit PCM, normalised to ``peak`` of full scale (a device's gain control)."""
    top = float(np.max(np.abs(audio))) if audio.size else 0.0
    scaled = audio * (peak / top) if top > 0 else audio
    return (np.clip(scaled, -1.0, 1.0) * 32767).astype("<i2").tobytes()
