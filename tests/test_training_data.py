"""Checks on the training data in stories/ (and the test stories) against the domain and
the catalogs. Plain YAML reading: no Rasa import, no training.

Each check is a function returning a list of problems; every check is run on the real data
(expecting no problems) and on a small planted example (expecting the problem to be found),
so that no test can pass vacuously.
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import pytest
import yaml

from assistant.catalog import Catalog, load_catalog
from assistant.paths import PROJECT_ROOT

DOMAIN_DIR = PROJECT_ROOT / "domain"
DATA_DIR = PROJECT_ROOT / "stories"
TEST_STORIES_DIR = PROJECT_ROOT / "tests" / "test_stories"
SKILLS = ("chitchat", "device_control", "temperature", "media", "weather", "alarms", "coffee",
          "preferences", "sports", "dining", "teachable")
MIN_EXAMPLES = 10

# Entities whose annotated values must come from the catalogs.
CATALOG_ENTITIES = ("device", "room", "color", "media_title", "artist", "genre", "city", "region")

# What each intent must trigger (the rules in stories/rules).
EXPECTED_ACTIONS = {
    "greet": "action_greet",
    "goodbye": "utter_goodbye",
    "thank": "utter_you_are_welcome",
    "help": "utter_help",
    "stop": "action_stop",
    "out_of_scope": "utter_out_of_scope",
    "nlu_fallback": "utter_default",
    "affirm": "action_yes_no",
    "deny": "action_yes_no",
    "turn_on": "action_device_control",
    "turn_off": "action_device_control",
    "set_brightness": "action_device_control",
    "set_color": "action_device_control",
    "set_temperature": "action_device_control",
    "open_device": "action_device_control",
    "close_device": "action_device_control",
    "lock_device": "action_device_control",
    "unlock_device": "action_device_control",
    "ask_device_state": "action_device_state",
    "ask_temperature": "action_tell_temperature",
    "play_media": "action_play_media",
    "ask_weather": "action_weather",
    "inform_place": "action_weather",
    "set_alarm": "action_set_alarm",
    "cancel_alarm": "action_cancel_alarm",
    "set_timer": "action_set_timer",
    "ask_time": "action_tell_time",
    "start_coffee": "action_start_coffee",
    "state_preference": "action_store_preference",
    "ask_my_preferences": "action_list_preferences",
    "forget_preferences": "action_forget_preferences",
    "learn_preferences": "preference_form",
    "complain": "action_offer_teaching",
    "teach_correction": "action_store_correction",
    "ask_team_score": "action_team_score",
    "find_restaurant": "action_find_restaurant",
    "teach_concept": "action_teach_concept",
    "run_concept": "action_run_concept",
    "ask_concept": "action_ask_concept",
    "forget_concept": "action_forget_concept",
}

# Rasa's built-in intents and actions, usable without being listed in the domain.
DEFAULT_INTENTS = {"nlu_fallback", "restart", "back", "out_of_scope", "session_start"}
DEFAULT_ACTIONS = {"action_listen", "action_restart", "action_session_start", "action_default_fallback",
                   "action_deactivate_loop", "action_revert_fallback_events",
                   "action_default_ask_affirmation", "action_default_ask_rephrase", "action_two_stage_fallback",
                   "action_unlikely_intent", "action_back", "action_extract_slots"}

# `[text](entity)`, `[text](entity:value)` or `[text]{"entity": ..., "value": ...}`
ANNOTATION = re.compile(r"\[(?P<text>[^\]]+)\](?:\((?P<plain>[^)]+)\)|(?P<json>\{[^}]*\}))")


# ---------------------------------------------------------------- reading the files


@dataclass(frozen=True)
class Example:
    """One NLU example: its intent, plain text, annotated (entity, value) pairs, and file."""

    intent: str
    text: str
    entities: tuple[tuple[str, str], ...]
    source: str


def parse_example(intent: str, raw: str, source: str = "") -> Example:
    """Strip the annotations from one example line and collect its entities."""
    entities: list[tuple[str, str]] = []

    def replace(match: re.Match) -> str:
        text = match.group("text")
        if match.group("json"):
            spec = json.loads(match.group("json"))
            entities.append((str(spec["entity"]), str(spec.get("value", text))))
        else:
            name, _, value = match.group("plain").partition(":")
            entities.append((name.strip(), value.strip() or text))
        return text

    return Example(intent, ANNOTATION.sub(replace, raw).strip(), tuple(entities), source)


def examples_from(data: dict[str, Any], source: str = "") -> list[Example]:
    """The intent examples of one parsed NLU file."""
    found: list[Example] = []
    for item in data.get("nlu") or []:
        if "intent" not in item:
            continue
        for line in str(item.get("examples") or "").splitlines():
            line = line.strip()
            if line.startswith("- "):
                found.append(parse_example(str(item["intent"]), line[2:], source))
    return found


def load_yaml(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


def load_examples(directory: Path = DATA_DIR / "nlu") -> list[Example]:
    examples: list[Example] = []
    for path in sorted(directory.glob("*.yml")):
        examples.extend(examples_from(load_yaml(path), path.name))
    return examples


def _names(items: Iterable[Any]) -> set[str]:
    """Names in a domain list whose entries may be strings or one-key mappings."""
    names: set[str] = set()
    for item in items or []:
        names.update(item.keys() if isinstance(item, dict) else [str(item)])
    return names


@dataclass(frozen=True)
class Domain:
    intents: set[str]
    entities: set[str]
    actions: set[str]
    slots: set[str]


def load_domain(directory: Path = DOMAIN_DIR) -> Domain:
    intents: set[str] = set()
    entities: set[str] = set()
    actions: set[str] = set()
    slots: set[str] = set()
    for path in sorted(directory.glob("*.yml")):
        data = load_yaml(path)
        intents |= _names(data.get("intents"))
        entities |= _names(data.get("entities"))
        actions |= _names(data.get("actions")) | set((data.get("responses") or {}).keys())
        actions |= set((data.get("forms") or {}).keys())
        slots |= set((data.get("slots") or {}).keys())
    return Domain(intents, entities, actions, slots)


def load_story_steps(directory: Path, key: str) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """(file, story or rule name, steps) for every story/rule in a folder; a rule with a
    condition (an answer to an open question, stories/rules/habits.yml) is left out."""
    found = []
    for path in sorted(directory.glob("*.yml")):
        for block in load_yaml(path).get(key) or []:
            if block.get("condition") and any("intent" in s for s in block.get("steps") or []):
                continue
            name = block.get("story") or block.get("rule") or "?"
            found.append((path.name, str(name), list(block.get("steps") or [])))
    return found


# ---------------------------------------------------------------- the checks


def thin_intents(domain_intents: Iterable[str], examples: list[Example], minimum: int = MIN_EXAMPLES) -> list[str]:
    """Domain intents with fewer than `minimum` examples."""
    counts: dict[str, int] = defaultdict(int)
    for ex in examples:
        counts[ex.intent] += 1
    return [f"{i}: {counts[i]} examples" for i in sorted(domain_intents) if counts[i] < minimum]


def unknown_intents(domain_intents: set[str], examples: list[Example]) -> list[str]:
    """NLU intents the domain does not declare."""
    return sorted({f"{ex.intent} ({ex.source})" for ex in examples if ex.intent not in domain_intents})


def normalize(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s']", " ", text.lower()).split())


def conflicting_examples(examples: list[Example]) -> list[str]:
    """The same text (ignoring case and punctuation) under more than one intent."""
    intents: dict[str, set[str]] = defaultdict(set)
    for ex in examples:
        intents[normalize(ex.text)].add(ex.intent)
    return [f"{text!r}: {sorted(found)}" for text, found in sorted(intents.items()) if len(found) > 1]


def repeated_examples(examples: list[Example]) -> list[str]:
    """The same text listed twice under one intent (wasted, and usually a copy-paste slip)."""
    seen: set[tuple[str, str]] = set()
    repeated = []
    for ex in examples:
        key = (ex.intent, normalize(ex.text))
        if key in seen:
            repeated.append(f"{ex.intent}: {ex.text!r}")
        seen.add(key)
    return repeated


def undeclared_entities(domain_entities: set[str], examples: list[Example]) -> list[str]:
    return sorted({f"{name} in {ex.text!r}" for ex in examples for name, _ in ex.entities
                   if name not in domain_entities})


def catalog_values(catalog: Catalog) -> dict[str, set[str]]:
    """Allowed lowercase values per catalog-checked entity."""
    titles = {t.title.lower() for t in catalog.titles}
    titles |= {t[4:] for t in titles if t.startswith("the ")}
    return {
        "device": {w.lower() for words in catalog.device_words.values() for w in words},
        "room": {w.lower() for words in catalog.room_words.values() for w in words},
        "color": {c.lower() for c in catalog.colors},
        "media_title": titles,
        "artist": {a.name.lower() for a in catalog.artists},
        "genre": {g.lower() for g in catalog.genres},
        "city": {c.name.lower() for c in catalog.cities},
        "region": {c.region.lower() for c in catalog.cities},
    }


def off_catalog_values(examples: list[Example], catalog: Catalog) -> list[str]:
    """Annotated device/room/colour/media/place values that are not catalog words."""
    allowed = catalog_values(catalog)
    return sorted({f"{name}={value!r} in {ex.text!r} ({ex.source})"
                   for ex in examples for name, value in ex.entities
                   if name in allowed and " ".join(value.lower().split()) not in allowed[name]})


def unknown_media_types(examples: list[Example]) -> list[str]:
    """media_type values the media service does not understand."""
    from assistant.services.media import FORMAT_WORDS

    return sorted({f"{value!r} in {ex.text!r}" for ex in examples for name, value in ex.entities
                   if name == "media_type" and value.lower() not in FORMAT_WORDS})


def wrong_rules(rules: list[tuple[str, str, list[dict[str, Any]]]], expected: dict[str, str]) -> list[str]:
    """Intents without a rule, and rules whose first action is not the expected one."""
    problems = []
    covered: set[str] = set()
    for source, name, steps in rules:
        for i, step in enumerate(steps):
            if "intent" not in step:
                continue
            intent = step["intent"]
            covered.add(intent)
            following = next((s["action"] for s in steps[i + 1:] if "action" in s), None)
            if intent in expected and following != expected[intent]:
                problems.append(f"{source} rule {name!r}: {intent} -> {following}, expected {expected[intent]}")
    problems += [f"no rule for intent {i}" for i in sorted(set(expected) - covered)]
    return problems


def story_problems(stories: list[tuple[str, str, list[dict[str, Any]]]], domain: Domain,
                   expected: dict[str, str]) -> list[str]:
    """Unknown intents/actions/slots in stories, and user turns answered by another action than the rule's."""
    problems = []
    intents = domain.intents | DEFAULT_INTENTS
    actions = domain.actions | DEFAULT_ACTIONS
    for source, name, steps in stories:
        where = f"{source} story {name!r}"
        loop = None  # the active form: it answers every user turn until it ends
        for i, step in enumerate(steps):
            if "active_loop" in step:
                loop = step["active_loop"]
            if "intent" in step:
                intent = step["intent"]
                if intent not in intents:
                    problems.append(f"{where}: unknown intent {intent}")
                following = steps[i + 1] if i + 1 < len(steps) else {}
                if loop and following.get("action") == loop:
                    continue
                if intent in expected and following.get("action") != expected[intent]:
                    problems.append(f"{where}: {intent} followed by {following}, expected {expected[intent]}")
            if "action" in step:
                if step["action"] not in actions:
                    problems.append(f"{where}: unknown action {step['action']}")
                if step["action"] == "action_validate_slot_mappings":
                    problems.append(f"{where}: action_validate_slot_mappings runs by itself; leave it out")
            for slot_event in step.get("slot_was_set") or []:
                for slot in _names([slot_event]):
                    if slot not in domain.slots | {"requested_slot"}:
                        problems.append(f"{where}: unknown slot {slot}")
    return problems


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def domain() -> Domain:
    return load_domain()


@pytest.fixture(scope="module")
def examples() -> list[Example]:
    return load_examples()


# ---------------------------------------------------------------- the data is there


def test_every_skill_has_nlu_rules_stories_and_test_stories() -> None:
    missing = [str(p.relative_to(PROJECT_ROOT)) for skill in SKILLS
               for p in (DATA_DIR / "nlu" / f"{skill}.yml", DATA_DIR / "rules" / f"{skill}.yml",
                         DATA_DIR / "stories" / f"{skill}.yml", TEST_STORIES_DIR / f"{skill}.yml")
               if not p.is_file()]
    assert missing == []


def test_domain_and_data_are_not_empty(domain: Domain, examples: list[Example]) -> None:
    assert len(domain.intents) >= 20 and domain.entities and domain.actions
    assert len(examples) >= 500


# ---------------------------------------------------------------- intents


def test_every_domain_intent_has_enough_examples(domain: Domain, examples: list[Example]) -> None:
    assert thin_intents(domain.intents, examples) == []


def test_thin_intents_are_found() -> None:
    few = [Example("greet", f"hi {n}", (), "x") for n in range(MIN_EXAMPLES - 1)]
    assert thin_intents({"greet", "goodbye"}, few) == ["goodbye: 0 examples", f"greet: {MIN_EXAMPLES - 1} examples"]


def test_every_nlu_intent_is_in_the_domain(domain: Domain, examples: list[Example]) -> None:
    assert unknown_intents(domain.intents, examples) == []


def test_unknown_intents_are_found() -> None:
    assert unknown_intents({"greet"}, [Example("greeet", "hi", (), "chitchat.yml")]) == ["greeet (chitchat.yml)"]


def test_no_example_is_labelled_with_two_intents(examples: list[Example]) -> None:
    assert conflicting_examples(examples) == []


def test_conflicting_examples_are_found() -> None:
    planted = [Example("stop", "Cancel!", (), ""), Example("cancel_alarm", "cancel", (), "")]
    assert conflicting_examples(planted) == ["'cancel': ['cancel_alarm', 'stop']"]


def test_no_example_is_listed_twice(examples: list[Example]) -> None:
    assert repeated_examples(examples) == []


def test_repeated_examples_are_found() -> None:
    planted = [Example("greet", "hi", (), ""), Example("greet", "Hi", (), "")]
    assert repeated_examples(planted) == ["greet: 'Hi'"]


# ---------------------------------------------------------------- entities


def test_annotations_are_parsed() -> None:
    ex = parse_example("ask_weather", 'weather in [Wilkerson](city), [WA]{"entity": "region", "value": "Washington"}')
    assert ex.text == "weather in Wilkerson, WA"
    assert ex.entities == (("city", "Wilkerson"), ("region", "Washington"))


def test_every_annotated_entity_is_in_the_domain(domain: Domain, examples: list[Example]) -> None:
    assert undeclared_entities(domain.entities, examples) == []


def test_undeclared_entities_are_found() -> None:
    planted = [parse_example("turn_on", "turn on the [lights](devices)")]
    assert undeclared_entities({"device"}, planted) == ["devices in 'turn on the lights'"]


def test_annotated_values_come_from_the_catalogs(examples: list[Example]) -> None:
    assert off_catalog_values(examples, load_catalog()) == []


@pytest.mark.parametrize("line", [
    "turn on the [fridge](device)",
    "turn on the [lights](device) in the [basement](room)",
    "make the [light](device) [magenta](color)",
    "play [Hunger Game](media_title)",
    "play [Beyonce](artist)",
    "play some [metal](genre)",
    "weather in [Tacoma](city)",
    "[Ohio](region)",
])
def test_off_catalog_values_are_found(line: str) -> None:
    assert len(off_catalog_values([parse_example("x", line)], load_catalog())) == 1


def test_titles_may_drop_a_leading_the_but_nothing_else() -> None:
    catalog = load_catalog()
    good = [parse_example("play_media", f"play [{t}](media_title)")
            for t in ("The Hunger Games", "hunger games", "Hobbit", "Dune")]
    assert off_catalog_values(good, catalog) == []
    assert off_catalog_values([parse_example("play_media", "play [The Dune](media_title)")], catalog) != []


def test_media_types_are_understood_by_the_media_service(examples: list[Example]) -> None:
    assert unknown_media_types(examples) == []
    assert unknown_media_types([parse_example("play_media", "play a [cartoon](media_type)")]) != []


# ---------------------------------------------------------------- rules and stories


def test_every_domain_intent_has_an_expected_action(domain: Domain) -> None:
    assert sorted(domain.intents - set(EXPECTED_ACTIONS)) == []
    assert sorted({a for a in EXPECTED_ACTIONS.values()} - domain.actions) == []


def test_rules_trigger_the_expected_actions() -> None:
    assert wrong_rules(load_story_steps(DATA_DIR / "rules", "rules"), EXPECTED_ACTIONS) == []


def test_wrong_and_missing_rules_are_found() -> None:
    rules = [("x.yml", "greet", [{"intent": "greet"}, {"action": "utter_goodbye"}])]
    assert wrong_rules(rules, {"greet": "utter_greet", "thank": "utter_you_are_welcome"}) == [
        "x.yml rule 'greet': greet -> utter_goodbye, expected utter_greet",
        "no rule for intent thank",
    ]


@pytest.mark.parametrize("directory", [DATA_DIR / "stories", TEST_STORIES_DIR], ids=["stories", "test_stories"])
def test_stories_agree_with_the_rules_and_the_domain(directory: Path, domain: Domain) -> None:
    stories = load_story_steps(directory, "stories")
    assert len(stories) >= len(SKILLS)
    assert story_problems(stories, domain, EXPECTED_ACTIONS) == []


def test_story_problems_are_found(domain: Domain) -> None:
    steps = [{"intent": "ask_weather"}, {"action": "action_weather"},
             {"slot_was_set": [{"pending_citty": "Wilkerson"}]},
             {"intent": "greet"}, {"action": "action_validate_slot_mappings"}]
    problems = story_problems([("x.yml", "s", steps)], domain, EXPECTED_ACTIONS)
    assert any("unknown slot pending_citty" in p for p in problems)
    assert any("greet followed by" in p for p in problems)
    assert any("leave it out" in p for p in problems)


def test_the_weather_question_sets_and_clears_pending_city() -> None:
    """The disambiguation stories record the slot events action_weather returns."""
    for directory in (DATA_DIR / "stories", TEST_STORIES_DIR):
        stories = load_story_steps(directory, "stories")
        slot_steps = [step["slot_was_set"] for _, _, steps in stories for step in steps if "slot_was_set" in step]
        assert {"pending_city": "Wilkerson"} in [s[0] for s in slot_steps], directory
        assert {"pending_city": None} in [s[0] for s in slot_steps], directory


# ---------------------------------------------------------------- balance


MAX_EXAMPLES = 360


def bloated_intents(examples: list[Example], maximum: int = MAX_EXAMPLES) -> list[str]:
    """Intents with more than `maximum` examples (one intent drowning the others)."""
    counts: dict[str, int] = defaultdict(int)
    for ex in examples:
        counts[ex.intent] += 1
    return [f"{i}: {n} examples" for i, n in sorted(counts.items()) if n > maximum]


def test_no_intent_is_bloated(examples: list[Example]) -> None:
    assert bloated_intents(examples) == []


def test_bloated_intents_are_found() -> None:
    many = [Example("greet", f"hi {n}", (), "x") for n in range(4)]
    assert bloated_intents(many, maximum=3) == ["greet: 4 examples"]


def test_the_data_is_wide() -> None:
    """Thousands of examples, written beside the hand-written files from the templates."""
    assert len(examples_from_dir()) >= 2500


def examples_from_dir() -> list[Example]:
    return load_examples()


def test_generated_phrasings_are_up_to_date() -> None:
    """stories/nlu/*_phrasings.yml are what scripts/gen_nlu_phrasings.py makes of the templates."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("gen_nlu_phrasings",
                                                  PROJECT_ROOT / "scripts" / "gen_nlu_phrasings.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    stale = [name for name, text in module.generate(13).items()
             if (DATA_DIR / "nlu" / name).read_text(encoding="utf-8") != text]
    assert stale == [], "run .venv/bin/python scripts/gen_nlu_phrasings.py"


# ---------------------------------------------------------------- evaluation data stays out


SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"
EVAL_FILES = (SHARED_DATA / "slurp" / "devel.jsonl", SHARED_DATA / "hwu64" / "hwu64.jsonl")
LEAK_MIN_WORDS = 6
LEAK_JACCARD = 0.8
LEAK_MAX_SHARE = 0.02
_PLAIN_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


def _words(text: str) -> frozenset[str]:
    return frozenset(re.sub(r"[^a-z0-9' ]+", " ", text.lower()).split())


def tracked_training_lines(root: Path = PROJECT_ROOT) -> list[tuple[str, str]]:
    """(file, example) for every list item of the tracked training YAML, as the shared check reads them:
    files under stories/ or with "nlu" in their path."""
    import subprocess

    listed = subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True, check=True)
    found = []
    for name in listed.stdout.split():
        if name.endswith((".yml", ".yaml")) and (name.startswith("stories/") or "nlu" in name):
            for line in (root / name).read_text(encoding="utf-8", errors="ignore").splitlines():
                match = re.match(r"\s*-\s+(.+)$", line)
                if match:
                    found.append((name, _PLAIN_ANNOTATION.sub(r"\1", match.group(1)).strip("\"' ")))
    return found


def leaked_examples(examples: list[tuple[str, str]], sentences: list[str]) -> list[tuple[str, str]]:
    """Examples of six or more words sharing at least 80% of their words (Jaccard) with a sentence."""
    evals = [_words(s) for s in sentences]
    index: dict[str, list[int]] = defaultdict(list)
    for i, ws in enumerate(evals):
        for w in ws:
            index[w].append(i)
    leaked = []
    for source, text in examples:
        ws = _words(text)
        if len(ws) < LEAK_MIN_WORDS:
            continue
        if any(len(ws & evals[i]) / len(ws | evals[i]) >= LEAK_JACCARD for i in {i for w in ws for i in index[w]}):
            leaked.append((source, text))
    return leaked


def test_training_examples_are_not_copied_from_the_evaluation_sets() -> None:
    present = [path for path in EVAL_FILES if path.is_file()]
    if not present:
        pytest.skip("the evaluation sets are not on this machine")
    sentences = [json.loads(line)["sentence"] for path in present
                 for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    examples = tracked_training_lines()
    leaked = leaked_examples(examples, sentences)
    share = len(leaked) / max(1, len(examples))
    assert share <= LEAK_MAX_SHARE, f"{share:.1%} of examples are close to evaluation sentences: {leaked[:10]}"


def test_copied_examples_are_found() -> None:
    sentences = ["please turn off all of the kitchen lights now", "what is the weather"]
    examples = [("a.yml", "please turn off all the kitchen lights now"),   # one word dropped: copied
                ("a.yml", "what is the weather"),                          # short: chance, not counted
                ("a.yml", "could you dim the bedroom lamp a little bit")]  # different words
    assert leaked_examples(examples, sentences) == [("a.yml", "please turn off all the kitchen lights now")]
