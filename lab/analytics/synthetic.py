"""A small seeded generator of labelled interaction logs, for tests, speed measurements and
(when the population simulator is not available) model training. It imitates the failure
modes the simulator labels: a false wake, ASR noise, a wrong intent, an unresolved device, a
wrong result; users react by repeating, rephrasing, complaining, barging in or giving up.

The numbers it gives say how the analytics behave on its own assumptions, not on real users.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Iterator

from assistant.learning.log import TurnRecord
from assistant.outcomes import FailurePoint, Problem
from simulator import truth_store

# (intent, phrasings, entities, directive, needs a device)
_GOALS: list[tuple[str, tuple[str, ...], dict[str, str], str]] = [
    ("turn_on", ("turn on the kitchen light", "switch the kitchen light on", "kitchen lights on please",
                 "can you turn the kitchen light on"), {"device": "kitchen light"}, "turn_on kitchen_light"),
    ("turn_off", ("turn off the bedroom light", "switch off the bedroom light", "bedroom lights off",
                  "lights off in the bedroom"), {"device": "bedroom light"}, "turn_off bedroom_light"),
    ("set_temperature", ("set the oven to 180", "preheat the oven to 180 degrees", "oven to 180 please",
                         "heat the oven to one eighty"), {"device": "oven", "number": "180"},
     "set_temperature oven 180"),
    ("play_media", ("play hunger games", "put on the hunger games", "i want to watch hunger games",
                    "start hunger games"), {"media_title": "hunger games"}, "play living_room_tv hunger games"),
    ("play_media", ("play imagine dragons", "put on some imagine dragons", "play music by imagine dragons",
                    "i want to hear imagine dragons"), {"artist": "imagine dragons"},
     "play kitchen_speaker imagine dragons"),
    ("ask_weather", ("what's the weather in seattle", "weather in seattle today", "is it raining in seattle",
                     "how is the weather in seattle"), {"city": "seattle"}, ""),
    ("set_alarm", ("set an alarm for 7 am", "wake me up at 7", "alarm at seven in the morning",
                   "i need an alarm for 7 am"), {"time": "7 am"}, "set_alarm bedroom_alarm 07:00"),
    ("lock_device", ("lock the front door", "please lock the front door", "front door lock",
                     "make sure the front door is locked"), {"device": "front door"}, "lock front_door"),
    ("start_coffee", ("make me a coffee", "start the coffee maker", "brew some coffee", "coffee please"),
     {"device": "coffee maker"}, "brew coffee_maker"),
    ("ask_time", ("what time is it", "what's the time", "tell me the time", "time please"), {}, ""),
    ("ask_team_score", ("how did the warriors do", "warriors score", "did the warriors win",
                        "what was the warriors game result"), {"team": "warriors"}, ""),
    ("set_timer", ("set a timer for ten minutes", "timer for 10 minutes", "start a ten minute timer",
                   "count down ten minutes"), {"duration": "10 minutes"}, "start_timer kitchen_speaker 600"),
]
_NOISE = ("hmm", "uh", "the", "a", "and", "so", "okay")
_GARBLE = {"light": "lied", "kitchen": "kitten", "oven": "often", "hunger": "hanger", "games": "gains",
           "imagine": "maj and", "dragons": "wagons", "weather": "whether", "seattle": "see at all",
           "alarm": "a lamb", "front": "fraunt", "coffee": "coughing", "time": "thyme", "warriors": "worriers",
           "timer": "tiger", "bedroom": "bad room", "lock": "look", "minutes": "minnows"}
_FAILURES = (FailurePoint.ASR, FailurePoint.NLU, FailurePoint.ENTITY_RESOLUTION, FailurePoint.RESULT)
_INTENTS = sorted({g[0] for g in _GOALS})
_REPLY_OK = "Okay."
_REPLY_FALLBACK = "Sorry, I didn't get that. Could you rephrase?"


@dataclass(frozen=True)
class SyntheticConfig:
    users: int = 10
    days: int = 3
    sessions_per_day: int = 4
    goals_per_session: int = 3
    false_wake_rate: float = 0.03
    detector_recall: float = 0.8          # the runtime flags a repeat/rephrase this often
    detector_false_positive: float = 0.03


def generate(seed: int, config: SyntheticConfig = SyntheticConfig(),
             start: dt.datetime = dt.datetime(2026, 1, 5, 7, 0)) -> Iterator[TurnRecord]:
    """Turns with ground truth in ``truth``; same seed, same log. User ids carry the seed."""
    rng = random.Random(seed)
    for u in range(config.users):
        user = f"s{seed}u{u}"
        accent = rng.uniform(0.03, 0.25)           # this user's ASR error rate
        for day in range(config.days):
            for s in range(config.sessions_per_day):
                clock = start + dt.timedelta(days=day, hours=2 + 3 * s, minutes=rng.randint(0, 90))
                session = f"{user}-d{day}s{s}"
                yield from _session(rng, user, session, clock, accent, config)


def _session(rng: random.Random, user: str, session: str, clock: dt.datetime, accent: float,
             config: SyntheticConfig) -> Iterator[TurnRecord]:
    for g in range(config.goals_per_session):
        goal_id = f"{session}-g{g}"
        if rng.random() < config.false_wake_rate:
            clock += dt.timedelta(seconds=rng.uniform(5, 60))
            heard = " ".join(rng.choice(_NOISE) for _ in range(rng.randint(1, 3)))
            intent = rng.choice(["nlu_fallback", "out_of_scope", "ask_time", "stop"])
            yield _turn(user, session, clock, heard, intent, rng.uniform(0.2, 0.7), {}, "", _REPLY_FALLBACK,
                        rng.uniform(0.1, 0.5), False,
                        {"goal_id": f"{goal_id}-wake", "goal_intent": "none", "said": "", "heard": heard,
                         "false_wake": True, "success": False, "failure_point": FailurePoint.FALSE_WAKE.value,
                         "rephrase_of": None, "reaction": rng.choice(["move_on", "complain"]),
                         "goal_achieved": False},
                        feedback={"dissatisfaction": True} if rng.random() < 0.3 else {})
        clock += dt.timedelta(seconds=rng.uniform(20, 150))
        yield from _goal(rng, user, session, goal_id, clock, accent, config)
        clock += dt.timedelta(seconds=rng.uniform(200, 400))


def _goal(rng: random.Random, user: str, session: str, goal_id: str, clock: dt.datetime,
          accent: float, config: SyntheticConfig) -> Iterator[TurnRecord]:
    intent, phrasings, entities, directive = rng.choice(_GOALS)
    said = rng.choice(phrasings)
    previous_reaction = None
    for attempt in range(4):
        failure: FailurePoint | None = None
        if rng.random() < accent:
            failure = FailurePoint.ASR
        elif rng.random() < 0.18:
            failure = rng.choice(_FAILURES[1:])
        heard, got_intent, conf, got_entities, directives, reply, refused, asr_conf = _outcome(
            rng, failure, said, intent, entities, directive)
        success = failure is None
        if success:
            reaction = "complain" if rng.random() < 0.03 else "move_on"
        else:
            reaction = rng.choices(["repeat", "rephrase", "complain", "barge_in", "give_up"],
                                   [0.3, 0.3, 0.12, 0.13, 0.15])[0]
        last = success or reaction == "give_up" or attempt == 3
        feedback = _feedback(rng, reaction, config)
        truth = {"goal_id": goal_id, "goal_intent": intent, "said": said, "heard": heard, "false_wake": False,
                 "success": success, "failure_point": None if failure is None else failure.value, "rephrase_of": None,
                 "reaction": reaction, "goal_achieved": success if last else None,
                 "preference_correct": None}
        yield _turn(user, session, clock, heard, got_intent, conf, got_entities, directives, reply, asr_conf,
                    previous_reaction == "barge_in", truth, feedback=feedback, refused=refused)
        clock += dt.timedelta(seconds=rng.uniform(2, 5) if reaction == "barge_in" else rng.uniform(4, 15))
        if reaction == "complain":
            yield _turn(user, session, clock, rng.choice(["no that's wrong", "that's not what i asked",
                                                          "wrong"]), "complain", rng.uniform(0.7, 1.0), {},
                        "", "Sorry about that.", rng.uniform(0.7, 1.0), False,
                        {**truth, "success": True, "failure_point": None, "said": "", "heard": "",
                         "reaction": "rephrase", "goal_achieved": None})
            clock += dt.timedelta(seconds=rng.uniform(3, 10))
            if success:
                return
        if last:
            return
        previous_reaction = reaction
        if reaction == "rephrase" or (reaction == "complain" and rng.random() < 0.5):
            said = rng.choice([p for p in phrasings if p != said])


def _outcome(rng: random.Random, failure: FailurePoint | None, said: str, intent: str, entities: dict[str, str],
             directive: str):
    asr_conf = rng.uniform(0.75, 1.0)
    heard = said
    got_intent, conf = intent, rng.uniform(0.8, 1.0)
    got_entities = [{"entity": k, "value": v} for k, v in entities.items()]
    directives = [directive] if directive else []
    reply, refused = _REPLY_OK, []
    if failure == FailurePoint.ASR:
        words = said.split()
        hits = [i for i, w in enumerate(words) if w in _GARBLE] or [len(words) - 1]
        i = rng.choice(hits)
        words[i] = _GARBLE.get(words[i], words[i] + "s")
        heard = " ".join(words)
        asr_conf = rng.uniform(0.3, 0.85)
        if rng.random() < 0.5:
            got_intent, conf, reply = "nlu_fallback", rng.uniform(0.2, 0.5), _REPLY_FALLBACK
            got_entities, directives = [], []
        else:
            conf = rng.uniform(0.45, 0.9)
            got_entities = got_entities[:-1]
            if directives and rng.random() < 0.6:
                refused = [[directive, Problem.NO_SUCH_DEVICE.value, "no such device"]]
                directives = []
    elif failure == FailurePoint.NLU:
        if rng.random() < 0.4:
            got_intent, conf, reply = "nlu_fallback", rng.uniform(0.2, 0.55), _REPLY_FALLBACK
        else:
            got_intent = rng.choice([i for i in _INTENTS if i != intent])
            conf = rng.uniform(0.4, 0.95)
        got_entities, directives = got_entities[:1] if rng.random() < 0.3 else [], []
    elif failure == FailurePoint.ENTITY_RESOLUTION:
        conf = rng.uniform(0.6, 1.0)
        reason = rng.choice([p.value for p in (Problem.NO_SUCH_DEVICE, Problem.AMBIGUOUS, Problem.UNSUPPORTED,
                                                Problem.INVALID_VALUE)])
        if rng.random() < 0.5 and directives:
            refused = [[directive, reason, reason.lower()]]
            reply = "Sorry, I can't find that device."
        else:
            got_entities = []
            reply = "Which one do you mean?"
        directives = []
    elif failure == FailurePoint.RESULT:
        conf = rng.uniform(0.6, 1.0)
        reply = rng.choice([_REPLY_OK, "Playing it now.", "Here is the forecast."])
    return heard, got_intent, conf, got_entities, directives, reply, refused, asr_conf


def _feedback(rng: random.Random, reaction: str, config: SyntheticConfig) -> dict[str, object]:
    """What the runtime would have flagged after the turn (imperfectly)."""
    out: dict[str, object] = {}
    if reaction in ("repeat", "rephrase") and rng.random() < config.detector_recall:
        out[reaction] = True
    elif reaction == "move_on" and rng.random() < config.detector_false_positive:
        out["rephrase"] = True
    if reaction == "complain":
        out["dissatisfaction"] = True
    if reaction == "barge_in":
        out["barge_in"] = True
    if reaction == "give_up":
        out["give_up"] = True
    return out


def _turn(user: str, session: str, clock: dt.datetime, heard: str, intent: str, conf: float,
          entities, directives, reply: str, asr_conf: float, barge_in: bool, truth: dict,
          *, feedback: dict | None = None, refused: list | None = None) -> TurnRecord:
    if isinstance(entities, dict):
        entities = [{"entity": k, "value": v} for k, v in entities.items()]
    if isinstance(directives, str):
        directives = [directives] if directives else []
    actions = ["action_default_fallback"] if intent == "nlu_fallback" else [f"action_{intent}"]
    return TurnRecord(user_id=user, device_id="kitchen_speaker", session_id=session, timestamp=clock,
                      text=heard, intent=intent, confidence=round(conf, 3), entities=list(entities),
                      actions=actions, reply=reply, directives=list(directives), refused=refused or [],
                      context={"room": "kitchen"}, asr_confidence=round(asr_conf, 3), barge_in=barge_in,
                      feedback=feedback or {}, truth=truth)


def write(log, seed: int, config: SyntheticConfig = SyntheticConfig(), batch: int = 5000) -> int:
    """Generate into an `InteractionLog` in batches, the truth beside it (`simulator.truth_store`);
    returns the number of turns."""
    pending: list[TurnRecord] = []
    total = 0
    for record in generate(seed, config):
        pending.append(record)
        if len(pending) >= batch:
            truth_store.record_many(log, pending)
            total += len(pending)
            pending = []
    if pending:
        truth_store.record_many(log, pending)
        total += len(pending)
    return total


def main(argv: list[str] | None = None) -> int:
    """`python -m lab.analytics.synthetic --seed S --users N --days D --data-dir DIR`."""
    import argparse
    from pathlib import Path

    from assistant.learning.log import InteractionLog
    from assistant.paths import DataDir

    parser = argparse.ArgumentParser(description="write a seeded synthetic labelled log")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument("--sessions-per-day", type=int, default=4)
    parser.add_argument("--goals-per-session", type=int, default=3)
    parser.add_argument("--data-dir", type=Path, required=True)
    args = parser.parse_args(argv)
    config = SyntheticConfig(users=args.users, days=args.days, sessions_per_day=args.sessions_per_day,
                             goals_per_session=args.goals_per_session)
    data = DataDir(args.data_dir)
    data.root.mkdir(parents=True, exist_ok=True)
    with InteractionLog.open(data.learning_url) as log:
        n = write(log, args.seed, config)
    print(f"wrote {n} synthetic turns (seed {args.seed}) to {data.learning_url}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
