"""The SLURP mapping and the NLU evaluation, without Rasa (a fake parser stands in)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from rich.console import Console

from assistant.paths import PROJECT_ROOT
from lab.evaluation.eval_nlu import (
    DEFAULT_MAPPING,
    FALLBACK_INTENT,
    MappingError,
    RasaParser,
    SlurpExample,
    SlurpFileError,
    SlurpMapping,
    evaluate,
    load_mapping,
    load_slurp,
    rasa_parser,
    render_report,
)

DEVEL = Path(__file__).resolve().parents[4] / "shared/data/slurp/devel.jsonl"


@pytest.fixture(scope="module")
def devel() -> list[SlurpExample]:
    if not DEVEL.exists():
        pytest.skip(f"SLURP devel set not found at {DEVEL} (the shared/ folder beside the repo)")
    return load_slurp(DEVEL)


def domain_intents() -> set[str]:
    names: set[str] = set()
    for file in sorted((PROJECT_ROOT / "domain").glob("*.yml")):
        for item in (yaml.safe_load(file.read_text(encoding="utf-8")) or {}).get("intents", []):
            names.update(item if isinstance(item, dict) else [item])
    return names


# -- the project's mapping -----------------------------------------------------------


def test_mapping_covers_every_devel_intent_exactly_once(devel: list[SlurpExample]) -> None:
    mapping = load_mapping()
    sections = Counter([*mapping.intents, *mapping.out_of_scope, *mapping.unmapped])
    in_devel = {example.intent for example in devel}
    assert len(devel) == 2033
    missing = sorted(in_devel - set(sections))
    assert not missing, f"SLURP intents in devel.jsonl missing from the mapping: {missing}"
    twice = sorted(name for name, count in sections.items() if count != 1)
    assert not twice, f"in more than one section: {twice}"
    stale = sorted(set(sections) - in_devel)
    assert not stale, f"mapping names intents devel.jsonl does not have (typo?): {stale}"


def test_every_raw_devel_label_resolves_to_a_mapping_key(devel: list[SlurpExample]) -> None:
    known = load_mapping().known
    odd = {e.raw_intent: e.intent for e in devel if e.raw_intent != e.intent}
    assert odd, "devel.jsonl has scenario-less labels ('query', 'set', ...) that must be rebuilt"
    assert {"query", "set", "hue_lightoff"} <= set(odd)
    assert all(intent in known for intent in odd.values()), odd


def test_mapped_targets_are_domain_intents() -> None:
    mapping = load_mapping()
    declared = domain_intents()
    targets = set(mapping.intents.values()) | ({"out_of_scope"} if mapping.out_of_scope else set())
    assert targets, "the mapping maps nothing"
    assert targets <= declared, f"not declared in domain/*.yml: {sorted(targets - declared)}"


@pytest.mark.parametrize(
    ("slurp", "section", "target"),
    [
        ("iot_hue_lighton", "intents", "turn_on"),
        ("iot_hue_lightoff", "intents", "turn_off"),
        ("iot_hue_lightdim", "intents", "set_brightness"),
        ("iot_hue_lightup", "intents", "set_brightness"),
        ("iot_hue_lightchange", "intents", "set_color"),
        ("iot_wemo_on", "intents", "turn_on"),
        ("iot_wemo_off", "intents", "turn_off"),
        ("iot_coffee", "intents", "start_coffee"),
        ("play_music", "intents", "play_media"),
        ("play_audiobook", "intents", "play_media"),
        ("play_podcasts", "intents", "play_media"),
        ("weather_query", "intents", "ask_weather"),
        ("alarm_set", "intents", "set_alarm"),
        ("alarm_remove", "intents", "cancel_alarm"),
        ("general_greet", "intents", "greet"),
        ("email_sendemail", "out_of_scope_intents", "out_of_scope"),
        ("qa_factoid", "out_of_scope_intents", "out_of_scope"),
        ("datetime_query", "unmapped", None),
        ("audio_volume_mute", "unmapped", None),
        ("alarm_query", "unmapped", None),
        ("play_radio", "unmapped", None),
    ],
)
def test_key_mapping_decisions(slurp: str, section: str, target: str | None) -> None:
    mapping = load_mapping()
    assert mapping.section(slurp) == section
    assert mapping.target(slurp, include_out_of_scope=True) == target
    if section == "out_of_scope_intents":
        assert mapping.target(slurp, include_out_of_scope=False) is None


# -- evaluate with a fake parser -----------------------------------------------------

ANSWERS: dict[str, tuple[str, float]] = {
    "lights on": ("turn_on", 0.9),
    "switch on the lights": (FALLBACK_INTENT, 0.3),
    "weather today": ("ask_weather", 0.8),
    "will it rain": ("turn_on", 0.5),
    "send an email": ("out_of_scope", 0.7),
    "any new emails": ("out_of_scope", 0.6),
    "next alarm": ("set_alarm", 0.9),
    "mystery": ("greet", 0.9),
}

EXAMPLES = [
    SlurpExample("lights on", "iot_hue_lighton", "iot"),
    SlurpExample("switch on the lights", "iot_hue_lighton", "iot"),
    SlurpExample("weather today", "weather_query", "weather"),
    SlurpExample("will it rain", "weather_query", "weather"),
    SlurpExample("send an email", "email_sendemail", "email"),
    SlurpExample("any new emails", "email_query", "email"),
    SlurpExample("next alarm", "alarm_query", "alarm"),
    SlurpExample("mystery", "not_in_mapping", "mystery"),
]

MAPPING = SlurpMapping(
    intents={"iot_hue_lighton": "turn_on", "weather_query": "ask_weather"},
    out_of_scope=frozenset({"email_sendemail", "email_query"}),
    unmapped={"alarm_query": "no intent lists alarms"},
)


class FakeParser:
    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, texts: list[str]) -> list[tuple[str, float]]:
        self.calls.append(list(texts))
        return [ANSWERS[text] for text in texts]

    @property
    def seen(self) -> list[str]:
        return [text for call in self.calls for text in call]


def test_evaluate_with_out_of_scope() -> None:
    parse = FakeParser()
    report = evaluate(EXAMPLES, MAPPING, parse, include_out_of_scope=True)
    assert parse.seen == ["lights on", "switch on the lights", "weather today", "will it rain",
                          "send an email", "any new emails"]
    assert (report.n_total, report.n_evaluated, report.n_correct, report.n_unmapped) == (8, 6, 4, 2)
    assert report.accuracy == pytest.approx(4 / 6)
    assert report.n_fallback == 1
    assert report.fallback_rate == pytest.approx(1 / 6)
    assert {k: (v.n, v.correct) for k, v in report.per_intent.items()} == {
        "turn_on": (2, 1), "ask_weather": (2, 1), "out_of_scope": (2, 2)}
    assert report.per_intent["turn_on"].accuracy == 0.5
    assert {k: (v.n, v.correct) for k, v in report.per_slurp_intent.items()} == {
        "iot_hue_lighton": (2, 1), "weather_query": (2, 1), "email_sendemail": (1, 1),
        "email_query": (1, 1)}
    assert [(c.expected, c.predicted, c.count) for c in report.confusions] == [
        ("ask_weather", "turn_on", 1), ("turn_on", FALLBACK_INTENT, 1)]
    assert report.unmapped_by_intent == {"alarm_query": 1, "not_in_mapping": 1}
    assert report.unknown_intents == ("not_in_mapping",)


def test_evaluate_without_out_of_scope_counts_them_as_unmapped() -> None:
    parse = FakeParser()
    report = evaluate(EXAMPLES, MAPPING, parse, include_out_of_scope=False)
    assert parse.seen == ["lights on", "switch on the lights", "weather today", "will it rain"]
    assert (report.n_total, report.n_evaluated, report.n_correct, report.n_unmapped) == (8, 4, 2, 4)
    assert report.n_evaluated + report.n_unmapped == report.n_total
    assert report.accuracy == 0.5
    assert report.fallback_rate == 0.25
    assert "out_of_scope" not in report.per_intent
    assert report.unmapped_by_intent == {
        "alarm_query": 1, "email_query": 1, "email_sendemail": 1, "not_in_mapping": 1}


def test_nlu_fallback_is_wrong_even_at_high_confidence() -> None:
    examples = [SlurpExample("lights on", "iot_hue_lighton", "iot")] * 3
    report = evaluate(examples, MAPPING, lambda texts: [(FALLBACK_INTENT, 0.99)] * len(texts),
                      include_out_of_scope=True)
    assert (report.n_evaluated, report.n_correct, report.n_fallback) == (3, 0, 3)
    assert report.accuracy == 0.0 and report.fallback_rate == 1.0
    assert [(c.expected, c.predicted, c.count) for c in report.confusions] == [
        ("turn_on", FALLBACK_INTENT, 3)]


def test_batches_and_progress() -> None:
    parse = FakeParser()
    seen: list[tuple[int, int]] = []
    evaluate(EXAMPLES, MAPPING, parse, include_out_of_scope=True,
             progress=lambda done, total: seen.append((done, total)), batch_size=4)
    assert [len(call) for call in parse.calls] == [4, 2]
    assert seen == [(4, 6), (6, 6)]


def test_parser_returning_the_wrong_count_is_an_error() -> None:
    with pytest.raises(ValueError, match="returned 1 results for 6 texts"):
        evaluate(EXAMPLES, MAPPING, lambda texts: [("turn_on", 1.0)], include_out_of_scope=True)


def test_empty_evaluation_is_zero_not_a_crash() -> None:
    report = evaluate([], MAPPING, FakeParser(), include_out_of_scope=True)
    assert (report.n_evaluated, report.accuracy, report.fallback_rate) == (0, 0.0, 0.0)


def test_to_json_is_json_safe_and_complete() -> None:
    report = evaluate(EXAMPLES, MAPPING, FakeParser(), include_out_of_scope=True)
    data = json.loads(json.dumps(report.to_json()))
    assert data["accuracy"] == pytest.approx(4 / 6)
    assert (data["n_evaluated"], data["n_unmapped"]) == (6, 2)
    assert data["per_intent"]["out_of_scope"] == {"n": 2, "correct": 2, "accuracy": 1.0}
    assert data["fallback_rate"] == pytest.approx(1 / 6)
    assert data["confusions"][0] == {"expected": "ask_weather", "predicted": "turn_on", "count": 1}
    assert "predictions" not in data
    assert len(report.to_json(include_predictions=True)["predictions"]) == 6


def test_render_report_shows_table_totals_and_confusions() -> None:
    console = Console(record=True, width=120)
    render_report(evaluate(EXAMPLES, MAPPING, FakeParser(), include_out_of_scope=False), console)
    text = console.export_text()
    assert "Scored 4 of 8 examples (without out_of_scope)" in text
    assert "overall" in text and "50.0%" in text
    assert "not scored (unmapped or out-of-scope): 4" in text
    assert "not_in_mapping" in text
    assert "Top confusions" in text and "ask_weather" in text


# -- loading files -------------------------------------------------------------------


def _write(tmp_path: Path, lines: list[str], name: str = "slurp.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


GOOD = json.dumps({"sentence": "turn on the lights", "intent": "iot_hue_lighton", "scenario": "iot"})


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ('{"sentence": "hi", "intent": ', "invalid JSON"),
        ('{"sentence": "hi"}', "missing key 'intent'"),
        ('{"intent": "general_greet"}', "missing key 'sentence'"),
        ('{"sentence": "", "intent": "general_greet"}', "'sentence' must be a non-empty string"),
        ('["not", "an", "object"]', "expected a JSON object"),
    ],
)
def test_load_slurp_errors_name_file_and_line(tmp_path: Path, bad_line: str, message: str) -> None:
    path = _write(tmp_path, [GOOD, "", bad_line, GOOD])
    with pytest.raises(SlurpFileError) as info:
        load_slurp(path)
    assert f"{path}:3:" in str(info.value)
    assert message in str(info.value)


def test_load_slurp_missing_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(SlurpFileError, match="nope.jsonl"):
        load_slurp(tmp_path / "nope.jsonl")


def test_load_slurp_rebuilds_scenario_less_labels(tmp_path: Path) -> None:
    rows: list[dict[str, Any]] = [
        {"sentence": "will it rain", "intent": "query", "scenario": "weather", "action": "query"},
        {"sentence": "lights off", "intent": "hue_lightoff", "scenario": "iot", "action": "hue_lightoff"},
        {"sentence": "hey", "intent": "greet", "scenario": "general", "action": "greet"},
        {"sentence": "hey hey", "intent": "general_greet", "scenario": "general", "action": "greet"},
        {"sentence": "play jazz", "intent": "play_music"},
    ]
    examples = load_slurp(_write(tmp_path, [json.dumps(row) for row in rows]))
    assert [(e.intent, e.scenario, e.line) for e in examples] == [
        ("weather_query", "weather", 1), ("iot_hue_lightoff", "iot", 2),
        ("general_greet", "general", 3), ("general_greet", "general", 4), ("play_music", "play", 5)]
    assert examples[0].raw_intent == "query"


MAPPING_OK = """\
version: 1
intents:
  iot_hue_lighton: turn_on
out_of_scope_intents:
  - email_query
unmapped:
  alarm_query: no intent lists alarms
"""


def test_load_mapping_reads_sections(tmp_path: Path) -> None:
    mapping = load_mapping(_write(tmp_path, [MAPPING_OK], "m.yml"))
    assert dict(mapping.intents) == {"iot_hue_lighton": "turn_on"}
    assert mapping.out_of_scope == frozenset({"email_query"})
    assert dict(mapping.unmapped) == {"alarm_query": "no intent lists alarms"}
    assert load_mapping().source == DEFAULT_MAPPING


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (MAPPING_OK.replace("  iot_hue_lighton: turn_on\n",
                            "  iot_hue_lighton: turn_on\n  iot_hue_lighton: set_color\n"),
         "duplicate key 'iot_hue_lighton'"),
        (MAPPING_OK + "  email_query: also here\n", "in both out_of_scope_intents and unmapped"),
        (MAPPING_OK.replace("- email_query", "- email_query\n  - email_query"), "listed twice"),
        (MAPPING_OK.replace("no intent lists alarms", '""'), "unmapped.alarm_query"),
        (MAPPING_OK.replace("turn_on", FALLBACK_INTENT), "nlu_fallback is not a target"),
        (MAPPING_OK + "extras:\n  a: b\n", "unknown section(s): extras"),
        ("intents: [\n", "invalid mapping YAML"),
    ],
)
def test_load_mapping_rejects_bad_files(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, [text], "m.yml")
    with pytest.raises(MappingError) as info:
        load_mapping(path)
    assert str(path) in str(info.value)
    assert message in str(info.value)


# -- Rasa stays optional -------------------------------------------------------------


def test_module_import_does_not_import_rasa() -> None:
    code = "import sys, lab.evaluation.eval_nlu; print('rasa' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_rasa_parser_parses_on_one_loop() -> None:
    class FakeAgent:
        def __init__(self) -> None:
            self.loops: set[int] = set()
            self.texts: list[str] = []

        async def parse_message(self, text: str) -> dict[str, Any]:
            self.loops.add(id(asyncio.get_running_loop()))
            self.texts.append(text)
            if text == "greet":
                return {"intent": {"name": "greet", "confidence": 0.8}}
            return {"intent": {"name": FALLBACK_INTENT, "confidence": 0.2}}

    agent = FakeAgent()
    with RasaParser(agent, asyncio.new_event_loop()) as parse:  # type: ignore[arg-type]
        assert parse(["/greet", "blah"]) == [("greet", 0.8), (FALLBACK_INTENT, 0.2)]
        assert parse(["blah"]) == [(FALLBACK_INTENT, 0.2)]
    assert agent.texts == ["greet", "blah", "blah"]  # the leading "/" is cleaned, as at runtime
    assert len(agent.loops) == 1


def test_rasa_parser_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no trained model"):
        rasa_parser(tmp_path / "missing.tar.gz")
