"""How simulated people are heard: the speech channel (a real TTS voice and recogniser) or the
confusion table (fast, for unit tests). Both answer `Channel`."""

from __future__ import annotations

import enum
import random
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from simulator.population.asr import Accent, AsrChannel, AsrConfig, Heard

if TYPE_CHECKING:
    from simulator.speech.voices import Surroundings


class AsrMode(str, enum.Enum):
    """``--asr``: how simulated people are heard."""

    SPEECH = "speech"
    CONFUSIONS = "confusions"


class Channel(Protocol):
    """What a population needs from a channel."""

    name: str

    def accent_for(self, phrases: list[str], rng: random.Random, *, key: str = "") -> Accent: ...

    def hear(self, said: str, accent: Accent, rng: random.Random, *, where: Any = None) -> Heard: ...

    def false_wake(self, rng: random.Random, *, where: Any = None) -> Heard | None: ...


def make_channel(mode: AsrMode | str, *, seed: int, data_dir: Path | None = None,
                 rates: AsrConfig | None = None) -> Channel:
    """The channel for ``mode``. Speech loads the TTS and the recogniser now, so a missing
    package stops the run before anything is played (`SpeechUnavailable`)."""
    if AsrMode(mode) is AsrMode.CONFUSIONS:
        return AsrChannel(rates)
    from simulator.speech.channel import SpeechChannel, open_cache
    from simulator.speech.engine import unavailable
    from simulator.speech.settings import recognizer_setup

    try:
        setup = recognizer_setup(data_dir)
    except ImportError as error:   # hibari's G2P or pocketsphinx's model path, before any run
        raise unavailable("pocketsphinx" if "pocketsphinx" in str(error) else "hibari-tts", error) from error
    channel = SpeechChannel(seed=seed, cache=open_cache(data_dir), rates=rates, setup=setup)
    channel.engines  # noqa: B018 - load now: fail before the run, not in its middle
    return channel


def surroundings(home: Any, device_id: str | None, user_id: str) -> "Surroundings":
    """Where ``user_id`` speaks to ``device_id`` in ``home``, and what plays or runs in that room."""
    from simulator.speech.voices import Surroundings

    device = home.devices.get(device_id) if device_id else None
    if device is None:
        return Surroundings(home=user_id, device_id=device_id or "", device_kind="speaker", room="")
    room = getattr(device, "room", "")
    in_room = [d for d in home.devices.values() if getattr(d, "room", "") == room] if room else [device]
    return Surroundings(home=user_id, device_id=device_id or "",
                        device_kind=str(getattr(getattr(device, "kind", None), "value", "speaker")), room=room,
                        media_playing=any(d.state.get("playing") for d in in_room),
                        appliance_running=any(d.state.get("brewing") for d in in_room))
