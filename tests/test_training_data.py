"""Checks on the training data in stories/ (and the test stories) against the domain and
the catalogs. Plain YAML reading: no Rasa import, no training.

Each check is a function returning a list of problems; every check is run on the real data
(expecting no problems) and on a small planted example (expecting the problem to be found),
so that no test can pass vacuously.
"""

from __future__ import annotations

import json
import re
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
    """(file, story or rule name, steps) for every story/rule in a folder."""
    found = []
    for path in sorted(directory.glob("*.yml")):
        for block in load_yaml(path).get(key) or []:
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
