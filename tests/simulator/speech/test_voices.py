"""Voices and rooms: drawn from seeds, spread from easy to hard, noisier when the room plays."""

from __future__ import annotations

from simulator.speech.config import SpeechConfig
from simulator.speech.voices import Acoustics, Surroundings, acoustics_for, snr_db, speaker_for

CONFIG = SpeechConfig()


def test_a_person_keeps_their_voice_and_people_differ() -> None:
    assert speaker_for("7:sim7_u000", CONFIG) == speaker_for("7:sim7_u000", CONFIG)
    voices = {speaker_for(f"7:sim7_u{i:03d}", CONFIG) for i in range(50)}
    assert len(voices) == 50
    hardness = sorted(v.hardness for v in voices)
    assert hardness[0] < 0.2 and hardness[-1] > 0.6       # easy and hard people both


def test_music_in_the_room_lowers_the_signal_to_noise_ratio() -> None:
    quiet = Surroundings(home="h", device_id="kitchen_speaker", device_kind="speaker", room="kitchen")
    playing = Surroundings(home="h", device_id="kitchen_speaker", device_kind="speaker", room="kitchen",
                           media_playing=True)
    voice = speaker_for("x", CONFIG)
    path = acoustics_for(quiet, 3, CONFIG)
    assert path == acoustics_for(playing, 3, CONFIG)       # the room does not change, the noise does
    assert snr_db(voice, path, playing, CONFIG) == snr_db(voice, path, quiet, CONFIG) - CONFIG.media_noise
    far = Acoustics(distance=path.distance * 2, rt60=path.rt60)
    assert snr_db(voice, far, quiet, CONFIG) < snr_db(voice, path, quiet, CONFIG)


def test_the_tv_is_heard_from_farther_than_the_alarm_clock() -> None:
    tv = Surroundings(home="h", device_id="living_room_tv", device_kind="tv", room="living_room")
    clock = Surroundings(home="h", device_id="bedroom_alarm_clock", device_kind="alarm_clock", room="bedroom")
    assert acoustics_for(tv, 1, CONFIG).distance > acoustics_for(clock, 1, CONFIG).distance
