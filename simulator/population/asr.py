"""The ASR channel: what the assistant hears when a simulated user speaks.

Phonetic confusions replace whole phrases ("imagine dragons" -> "maj and dragons"). Global
confusions hit everybody now and then, always the same way, so rephrase chains pooled over
users can teach a global rewrite. Each user's accent adds a few personal confusions that
recur for that user, which only a personal rewrite can learn. On top: dropped and inserted
words, an ASR confidence that falls with the damage, and false wakes (a turn nobody meant).
Every random draw comes from the `random.Random` passed in.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

# Phrase (as people say it) -> what a recogniser sometimes writes instead. The first form is
# the global confusion; any form may become a user's personal one. Keys are words from the
# catalogs and the request phrasings (a test checks each key is a word the simulator says).
CONFUSIONS: dict[str, tuple[str, ...]] = {
    "imagine dragons": ("maj and dragons", "imagine drag ons"),
    "coldplay": ("cold play", "called play"),
    "queen": ("quinn", "green"),
    "taylor swift": ("tailor swift", "taylor's rift"),
    "ed sheeran": ("ed shearing", "head sheeran"),
    "adele": ("a dell", "adel"),
    "miles davis": ("miles david", "mile stavis"),
    "norah jones": ("nora joans", "nor a jones"),
    "john coltrane": ("john colt train", "jon cole train"),
    "dolly parton": ("dolly part in", "dolly pardon"),
    "johnny cash": ("johnny cache", "johnny catch"),
    "beethoven": ("bait oven", "bay toven"),
    "mozart": ("most art", "mo zart"),
    "kendrick lamar": ("kendrick llama", "kendrick la mar"),
    "drake": ("break", "drape"),
    "daft punk": ("deaf punk", "daft bunk"),
    "bob marley": ("bob marly", "bob barley"),
    "jazz": ("jas", "chaz"),
    "hip hop": ("hip hope", "hiphop"),
    "reggae": ("reggie", "ray gay"),
    "classical": ("classic all", "class ical"),
    "country": ("count tree", "cunt ry"),
    "electronic": ("electron nick", "elect tronic"),
    "blues": ("bruise", "blue's"),
    "folk": ("fork", "foke"),
    "thermostat": ("thermal stat", "thermo stat"),
    "lights": ("likes", "lice"),
    "garage door": ("garbage door", "carriage door"),
    "coffee": ("toffee", "coughy"),
    "kitchen": ("chicken", "kit chin"),
    "bedroom": ("bed room", "bad room"),
    "oven": ("often", "of in"),
    "unlock": ("and lock", "in lock"),
    "degrees": ("agrees", "the grease"),
    "alarm": ("a lamb", "a larm"),
    "restaurant": ("rest rant", "rest a rant"),
    "weather": ("whether", "wetter"),
    "seattle": ("see at all", "seat all"),
    "boston": ("bossed on", "boss ton"),
    "denver": ("den for", "then ver"),
    "chicago": ("she car go", "chic ago"),
    "austin": ("awesome", "oss tin"),
    "miami": ("my ami", "me amy"),
    "warriors": ("worriers", "war yours"),
    "lakers": ("lackers", "lake urs"),
    "celtics": ("seltics", "kel tics"),
    "bulls": ("bowls", "balls"),
    "seahawks": ("sea hocks", "see hawks"),
    "patriots": ("patri yachts", "pay trio ts"),
    "packers": ("peckers", "backers"),
    "mariners": ("marinas", "mary ners"),
    "yankees": ("yang keys", "yank ease"),
    "cubs": ("cups", "cabs"),
    "italian": ("it alien", "a talion"),
    "mexican": ("mexic an", "mex again"),
    "japanese": ("japan ease", "jap a knees"),
    "vietnamese": ("viet nam ease", "via nam ease"),
    "thai": ("tie", "thigh"),
    "greek": ("creek", "greet"),
    "hunger games": ("hunger gains", "hanger games"),
    "the matrix": ("the mattress", "them a tricks"),
    "inception": ("in section", "inceptions"),
    "jurassic park": ("jurassic bark", "drastic park"),
}

FILLERS = ("uh", "um", "the", "a", "so", "oh")

# What people near a device say that is not meant for it (a false wake hears it).
BACKGROUND = (
    "did you feed the dog", "i think it's going to be a long day", "where did i put my keys",
    "can you pass the salt", "we should call your mother", "that was a great film",
    "honey have you seen my phone", "i'll be back in five minutes", "the kids are asleep",
    "what do you want for dinner", "no i said the blue one", "that's hilarious",
    "did you lock the car", "i can't find the remote", "let's go to the park later",
)


@dataclass(frozen=True)
class AsrConfig:
    """Rates of the channel. Probabilities apply per phrase or word occurrence."""

    global_confusion: float = 0.12   # a known phrase is misheard its global way
    personal_confusion: float = 0.65  # a phrase of the user's accent is misheard their way
    drop_word: float = 0.015
    insert_word: float = 0.01
    false_wake: float = 0.03          # per goal: a false wake before the user speaks
    base_confidence: float = 0.95
    confusions_per_accent: int = 2
    # False: the confidence is drawn independently of the damage (and of false wakes), as a
    # stand-in for a recogniser whose confidence says little; same draws, same words heard.
    confidence_from_damage: bool = True


@dataclass(frozen=True)
class Accent:
    """How a user is heard: their recurring confusions (phrase -> how the confusion table hears
    it from them), or their voice under the speech channel (`simulator.speech.voices.Speaker`)."""

    confusions: dict[str, str] = field(default_factory=dict)
    speaker: object | None = None


@dataclass(frozen=True)
class Heard:
    """What came out of the channel."""

    said: str
    text: str
    confidence: float
    damaged: bool                    # the text differs from what was said
    confused: tuple[str, ...] = ()   # phrases that were misheard


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w']){re.escape(phrase)}(?![\w'])")


class AsrChannel:
    """A noisy recogniser. One instance serves the whole population."""

    def __init__(self, config: AsrConfig | None = None) -> None:
        self.config = config or AsrConfig()
        self._patterns = {phrase: _phrase_pattern(phrase) for phrase in CONFUSIONS}

    name = "confusions"

    def accent_for(self, phrases: list[str], rng: random.Random, *, key: str = "") -> Accent:
        """An accent: a few of ``phrases`` (the words this user says) with a personal confusion."""
        candidates = sorted({p for p in phrases if p in CONFUSIONS})
        rng.shuffle(candidates)
        chosen = candidates[: self.config.confusions_per_accent]
        return Accent({p: CONFUSIONS[p][-1] for p in sorted(chosen)})

    def hear(self, said: str, accent: Accent, rng: random.Random, *, where: object = None) -> Heard:
        """Pass ``said`` through the channel (``where`` the turn is heard does not matter to the table)."""
        cfg = self.config
        text = " ".join(said.lower().split())
        confused: list[str] = []
        # Longest phrases first, so "garage door" wins over a shorter key inside it.
        for phrase in sorted(CONFUSIONS, key=lambda p: (-len(p), p)):
            pattern = self._patterns[phrase]
            if not pattern.search(text):
                continue
            personal = accent.confusions.get(phrase)
            if personal is not None and rng.random() < cfg.personal_confusion:
                text, confused = pattern.sub(personal, text), confused + [phrase]
            elif rng.random() < cfg.global_confusion:
                text, confused = pattern.sub(CONFUSIONS[phrase][0], text), confused + [phrase]
        words: list[str] = []
        source = text.split()
        for word in source:
            if len(source) > 2 and rng.random() < cfg.drop_word:
                continue
            words.append(word)
            if rng.random() < cfg.insert_word:
                words.append(rng.choice(FILLERS))
        heard = " ".join(words) or text
        said_words = said.lower().split()
        damage = _edit_fraction(said_words, heard.split())
        confidence = cfg.base_confidence - 0.45 * damage - 0.05 * rng.random()
        if not cfg.confidence_from_damage:
            confidence = _independent_confidence(cfg, rng)
        return Heard(said=said, text=heard, confidence=round(min(0.99, max(0.2, confidence)), 3),
                     damaged=heard != " ".join(said_words), confused=tuple(confused))

    def false_wake(self, rng: random.Random, *, where: object = None) -> Heard | None:
        """A false wake before the next goal, or None (rate ``false_wake``)."""
        if rng.random() >= self.config.false_wake:
            return None
        text = rng.choice(BACKGROUND)
        confidence = 0.35 + 0.3 * rng.random()
        if not self.config.confidence_from_damage:
            confidence = _independent_confidence(self.config, rng)
        return Heard(said="", text=text, confidence=round(confidence, 3), damaged=True)


def _independent_confidence(cfg: AsrConfig, rng: random.Random) -> float:
    """A confidence that knows nothing of the damage: uniform over the range the damaged and
    undamaged turns share (0.5 to the base confidence)."""
    return min(0.99, 0.5 + (cfg.base_confidence - 0.5) * rng.random())


def _edit_fraction(said: list[str], heard: list[str]) -> float:
    """Word edit distance over the length of what was said (0 = untouched)."""
    if not said:
        return 1.0 if heard else 0.0
    previous = list(range(len(heard) + 1))
    for i, word in enumerate(said, 1):
        current = [i]
        for j, other in enumerate(heard, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (word != other)))
        previous = current
    return min(1.0, previous[-1] / len(said))
