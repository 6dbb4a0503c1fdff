"""Expand the team's phrasing templates into NLU training files (seeded, reproducible).

Usage (from the project root)::

    .venv/bin/python scripts/gen_nlu_phrasings.py [--seed 13] [--check]

Reads ``scripts/nlu_templates.yml`` (hand-written phrasings, one per line, with ``{slot}``
placeholders) and writes ``stories/nlu/<skill>_phrasings.yml`` beside the hand-written
``stories/nlu/<skill>.yml``. Slot values come from ``assistant/catalogs`` (the one source of
truth), so every annotated entity is a catalog value. Examples already in the hand-written
files are skipped, as are repeats. A small share of examples gets one seeded typo in a word
outside the annotations, because people and speech recognisers make them.

The evaluation sets (SLURP, HWU64) are never read here.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.catalog import Catalog, load_catalog  # noqa: E402

TEMPLATES = ROOT / "scripts" / "nlu_templates.yml"
NLU_DIR = ROOT / "stories" / "nlu"
SUFFIX = "_phrasings.yml"
TYPO_SHARE = 0.06
SLOT = re.compile(r"\{(\w+)\}")
ANNOTATION = re.compile(r"\[[^\]]+\](?:\([^)]+\)|\{[^}]*\})")

# Numbers people say in words, with the digits the actions parse (entity synonyms).
PERCENT_WORDS = {"ten": 10, "twenty": 20, "twenty five": 25, "thirty": 30, "forty": 40, "fifty": 50,
                 "sixty": 60, "seventy": 70, "seventy five": 75, "eighty": 80, "ninety": 90,
                 "a hundred": 100, "fifteen": 15, "five": 5}
ROOM_TEMP_WORDS = {"eighteen": 18, "nineteen": 19, "twenty": 20, "twenty one": 21, "twenty two": 22,
                   "twenty three": 23, "twenty four": 24, "seventeen": 17, "sixteen": 16}
OVEN_TEMP_WORDS = {"two hundred": 200, "one eighty": 180, "one hundred and eighty": 180,
                   "two twenty": 220, "one fifty": 150, "two hundred and fifty": 250, "one ninety": 190}
# (spoken, value the time parser reads)
CLOCK_WORDS = [("seven thirty", "7:30"), ("six fifteen", "6:15"), ("eight forty five", "8:45"),
               ("five thirty", "5:30"), ("six forty five", "6:45"), ("nine fifteen", "9:15"),
               ("seven", "7"), ("six thirty am", "6:30 am"), ("ten thirty pm", "10:30 pm"),
               ("quarter to seven", "6:45"), ("quarter to eight", "7:45"), ("half seven", "7:30"),
               ("eleven", "11"), ("seven oh five", "7:05"), ("twelve thirty", "12:30"),
               ("four pm", "4 pm"), ("nine in the evening", "9 pm"), ("five in the morning", "5 am")]
CLOCK_DIGITS = ["7 am", "6:30", "8", "5:45 am", "9 pm", "10:15", "6 am", "7:20", "11 pm", "4:30 pm",
                "8:00", "6", "noon", "midnight", "half past six", "quarter past eight", "7:45 am",
                "3 pm", "9:30 am", "5 o'clock", "eight am", "six o'clock", "1:15 pm", "10 am"]
DURATIONS = ["5 minutes", "ten minutes", "20 minutes", "an hour", "half an hour", "90 seconds",
             "three minutes", "45 minutes", "two hours", "a minute", "15 minutes", "thirty seconds",
             "forty minutes", "one hour and fifteen minutes", "seven minutes", "12 minutes",
             "twenty five minutes", "an hour and a half", "four minutes", "2 minutes"]
# Things people ask to play that the catalog does not have (never annotated: no catalog value).
UNKNOWN_MUSIC = ["the Beatles", "Beyonce", "Metallica", "Billie Eilish", "Elvis", "Bruno Mars",
                 "Fleetwood Mac", "Lady Gaga", "Nirvana", "Shakira", "ABBA", "the Rolling Stones",
                 "Bon Jovi", "Rihanna", "Frank Sinatra", "Pink Floyd", "Harry Styles", "Dua Lipa",
                 "Michael Jackson", "Justin Bieber", "Ariana Grande", "the Killers", "Oasis", "Eminem",
                 "Stevie Wonder", "Katy Perry", "Bruce Springsteen", "Arctic Monkeys", "Elton John", "Madonna",
                 "Sam Smith", "Post Malone", "Whitney Houston", "Green Day", "the Weeknd", "Kanye West"]
UNKNOWN_WORKS = ["the lion king", "titanic", "star wars", "the godfather", "moana", "shrek", "top gun",
                 "mamma mia", "the greatest showman", "grease", "encanto", "the sound of music"]
UNKNOWN_SONGS = ["bohemian rhapsody", "hey jude", "thriller", "let it be", "yellow submarine",
                 "dancing queen", "purple rain", "hotel california", "sweet caroline", "wonderwall",
                 "billie jean", "shape of you", "rolling in the deep", "imagine", "uptown funk", "halo",
                 "smells like teen spirit", "stairway to heaven", "bad guy", "happy", "let it go", "shallow"]
UNKNOWN_CITIES = ["Tokyo", "Berlin", "Sydney", "Dublin", "Toronto", "Madrid", "Rome", "Dallas",
                  "Phoenix", "Atlanta", "Nashville", "Houston"]
NEAR_KEYS = "qwertyuiop asdfghjkl zxcvbnm"


def annotate(text: str, entity: str, value: str | None = None) -> str:
    """``[text](entity)``, or the JSON form when the value differs (an entity synonym)."""
    if value is None or value == text:
        return f"[{text}]({entity})"
    return f'[{text}]{json.dumps({"entity": entity, "value": value})}'


@dataclass(frozen=True)
class Slots:
    """Draws slot fillers from the catalogs with one seeded generator."""

    catalog: Catalog
    rng: random.Random

    def pick(self, options: list[str] | tuple[str, ...]) -> str:
        return self.rng.choice(list(options))

    def device(self, kind: str, *, with_the: bool) -> str:
        words = self.catalog.device_words[kind]
        word = self.pick(words if with_the else [w for w in words if not w.startswith("the ")])
        if word.startswith("the "):
            return annotate(word, "device")
        return ("the " if with_the else "") + annotate(word, "device")

    def number(self, words: dict[str, int], digits: list[int], unit: str = "") -> str:
        if self.rng.random() < 0.4:
            spoken = self.pick(list(words))
            return annotate(spoken, "number", str(words[spoken])) + unit
        return annotate(str(self.pick([str(d) for d in digits])), "number") + unit

    def clock(self) -> str:
        if self.rng.random() < 0.45:
            spoken, value = self.rng.choice(CLOCK_WORDS)
            return annotate(spoken, "time", value)
        return annotate(self.pick(CLOCK_DIGITS), "time")

    def fillers(self) -> dict[str, Callable[[], str]]:
        c = self.catalog
        titles = [t.title for t in c.titles]
        cities = sorted({x.name for x in c.cities})
        ambiguous = sorted({x.name for x in c.cities if [y.name for y in c.cities].count(x.name) > 1})
        return {
            "the_light": lambda: self.device("light", with_the=True),
            "light": lambda: self.device("light", with_the=False),
            "the_tv": lambda: self.device("tv", with_the=True),
            "the_heat": lambda: self.device("thermostat", with_the=True),
            "the_oven": lambda: self.device("oven", with_the=True),
            "the_garage": lambda: self.device("garage_door", with_the=True),
            "the_lock": lambda: self.device("lock", with_the=True),
            "the_coffee": lambda: self.device("coffee_maker", with_the=True),
            "the_speaker": lambda: self.device("speaker", with_the=True),
            "the_power": lambda: self.device(self.pick(["light", "light", "tv", "oven", "thermostat",
                                                        "coffee_maker", "speaker"]), with_the=True),
            "room": lambda: annotate(self.pick([w for ws in c.room_words.values() for w in ws]), "room"),
            "color": lambda: annotate(self.pick(c.colors), "color"),
            "pct": lambda: self.number(PERCENT_WORDS, [5, 10, 20, 25, 30, 35, 40, 50, 60, 65, 70, 75, 80, 90]),
            "rtemp": lambda: self.number(ROOM_TEMP_WORDS, list(range(16, 27))),
            "otemp": lambda: self.number(OVEN_TEMP_WORDS, [160, 170, 175, 180, 190, 200, 210, 220, 230, 250]),
            "time": self.clock,
            "dur": lambda: annotate(self.pick(DURATIONS), "duration"),
            "title": lambda: annotate(self.pick(titles), "media_title"),
            "film": lambda: annotate(self.pick([t.title for t in c.titles if "film" in t.formats]), "media_title"),
            "book": lambda: annotate(self.pick([t.title for t in c.titles if "audiobook" in t.formats]),
                                     "media_title"),
            "podcast": lambda: annotate(self.pick([t.title for t in c.titles if "podcast" in t.formats]),
                                        "media_title"),
            "artist": lambda: annotate(self.pick([a.name for a in c.artists]), "artist"),
            "genre": lambda: annotate(self.pick(c.genres), "genre"),
            "city": lambda: annotate(self.pick(cities), "city"),
            "city_region": lambda: self._city_region(),
            "region": lambda: annotate(self.pick(sorted({x.region for x in c.cities if x.name in ambiguous})),
                                       "region"),
            # Preference values are found by spaCy in the action: plain words, no annotation.
            "p_team": lambda: self.pick([t.short for t in c.teams] + [t.name for t in c.teams]
                                        + [t.short for t in c.teams]),
            "p_short": lambda: self.pick([t.short for t in c.teams]),
            "p_cuisine": lambda: self.pick([x.title() if self.rng.random() < 0.5 else x for x in c.cuisines]),
            "p_genre": lambda: self.pick(c.genres),
            "p_artist": lambda: self.pick([a.name for a in c.artists]),
            "p_city": lambda: self.pick([x.label if self.rng.random() < 0.3 else x.name for x in c.cities]),
            "p_news": lambda: self.pick(c.news_sources),
            "unk_music": lambda: self.pick(UNKNOWN_MUSIC),
            "unk_work": lambda: self.pick(UNKNOWN_WORKS),
            "unk_song": lambda: self.pick(UNKNOWN_SONGS),
            "unk_city": lambda: self.pick(UNKNOWN_CITIES),
        }

    def _city_region(self) -> str:
        city = self.rng.choice(list(self.catalog.cities))
        joiner = self.pick([" ", ", ", " in "])
        return annotate(city.name, "city") + joiner + annotate(city.region, "region")


def typo(text: str, rng: random.Random) -> str:
    """One plausible slip (a swapped, dropped or doubled letter) in a plain word of 4+ letters."""
    plain = [(m.start(), m.end()) for m in re.finditer(r"[a-z]{4,}", text)
             if not any(a.start() <= m.start() < a.end() for a in ANNOTATION.finditer(text))]
    if not plain:
        return text
    start, end = rng.choice(plain)
    word = text[start:end]
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("swap", "drop", "double", "near"))
    if kind == "swap":
        word = word[:i] + word[i + 1] + word[i] + word[i + 2:]
    elif kind == "drop":
        word = word[:i] + word[i + 1:]
    elif kind == "double":
        word = word[:i] + word[i] + word[i:]
    else:
        row = next(r for r in NEAR_KEYS.split() if word[i] in r) if any(word[i] in r for r in NEAR_KEYS.split()) else ""
        j = row.find(word[i])
        if row and len(row) > 1:
            near = row[j - 1] if j > 0 else row[j + 1]
            word = word[:i] + near + word[i + 1:]
    return text[:start] + word + text[end:]


def normalize(text: str) -> str:
    plain = re.sub(r"\[([^\]]+)\](?:\([^)]+\)|\{[^}]*\})", r"\1", text)
    return " ".join(re.sub(r"[^\w\s']", " ", plain.lower()).split())


def existing_examples(skip_suffix: str = SUFFIX) -> dict[str, str]:
    """normalized text -> intent of the hand-written examples."""
    found: dict[str, str] = {}
    for path in sorted(NLU_DIR.glob("*.yml")):
        if path.name.endswith(skip_suffix):
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in data.get("nlu") or []:
            if "intent" in item:
                for line in str(item.get("examples") or "").splitlines():
                    if line.strip().startswith("- "):
                        found[normalize(line.strip()[2:])] = str(item["intent"])
    return found


def expand(template: str, fillers: dict[str, Callable[[], str]]) -> str:
    return SLOT.sub(lambda m: fillers[m.group(1)](), template)


def generate(seed: int) -> dict[str, str]:
    """File name -> YAML text, for every skill in the templates."""
    rng = random.Random(seed)
    fillers = Slots(load_catalog(), rng).fillers()
    spec = yaml.safe_load(TEMPLATES.read_text(encoding="utf-8"))
    taken = existing_examples()
    files: dict[str, str] = {}
    for skill, intents in spec.items():
        blocks = []
        for intent, body in intents.items():
            fills = 1
            lines: list[str] = []
            for raw in str(body).splitlines():
                raw = raw.strip()
                if not raw or raw.startswith("#"):
                    if raw.startswith("# fills:"):
                        fills = int(raw.split(":", 1)[1])
                    continue
                count = fills if SLOT.search(raw) else 1
                for _ in range(count * 3):  # a few tries to find unseen fillers
                    text = expand(raw, fillers)
                    if rng.random() < TYPO_SHARE:
                        text = typo(text, rng)
                    key = normalize(text)
                    if key in taken:
                        continue
                    taken[key] = intent
                    lines.append(text)
                    count -= 1
                    if count == 0:
                        break
            blocks.append(f"- intent: {intent}\n  examples: |\n" + "".join(f"    - {t}\n" for t in lines))
        header = (f"# Generated by scripts/gen_nlu_phrasings.py (seed {seed}) from scripts/nlu_templates.yml\n"
                  "# and the catalogs. Edit the templates, not this file.\n")
        files[f"{skill}{SUFFIX}"] = header + 'version: "3.1"\n\nnlu:\n' + "\n".join(blocks)
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--check", action="store_true", help="exit 1 when a committed file differs")
    args = parser.parse_args(argv)
    stale = []
    for name, text in generate(args.seed).items():
        path = NLU_DIR / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
            continue
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)} ({text.count(chr(10) + '    - ')} examples)")
    if stale:
        print("out of date: " + ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
