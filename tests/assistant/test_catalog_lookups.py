"""The lookup tables are generated from the catalogs, and the committed file is up to date."""

from __future__ import annotations

from pathlib import Path

import yaml

from assistant.catalog import load_catalog
from assistant.catalog_lookups import LOOKUP_FILE, LookupEntity, expected_text, lookup_tables, main


def test_the_committed_lookups_match_the_catalogs() -> None:
    assert LOOKUP_FILE.read_text(encoding="utf-8") == expected_text(), \
        "run .venv/bin/python -m assistant.catalog_lookups"


def test_every_table_is_a_lookup_for_its_entity() -> None:
    data = yaml.safe_load(LOOKUP_FILE.read_text(encoding="utf-8"))
    names = [item["lookup"] for item in data["nlu"]]
    assert names == [e.value for e in LookupEntity]
    assert all(str(item["examples"]).strip() for item in data["nlu"])


def test_tables_hold_catalog_words() -> None:
    tables = lookup_tables(load_catalog())
    assert "the big light" in tables[LookupEntity.DEVICE]
    assert "telly" in tables[LookupEntity.DEVICE]
    assert "lounge" in tables[LookupEntity.ROOM]
    assert {"The Hunger Games", "Hunger Games"} <= set(tables[LookupEntity.MEDIA_TITLE])
    assert "Imagine Dragons" in tables[LookupEntity.ARTIST]
    assert tables[LookupEntity.CITY].count("Wilkerson") == 1


def test_ambiguous_words_are_left_to_the_crf() -> None:
    tables = lookup_tables(load_catalog())
    assert "garage" not in tables[LookupEntity.DEVICE] and "garage" not in tables[LookupEntity.ROOM]
    assert {"heat", "lock", "coffee", "alarm"}.isdisjoint(tables[LookupEntity.DEVICE])
    assert "New York" not in tables[LookupEntity.REGION] and "New York" in tables[LookupEntity.CITY]


def test_check_reports_a_stale_file(tmp_path: Path) -> None:
    out = tmp_path / "lookups.yml"
    assert main(["--out", str(out)]) == 0
    assert main(["--check", "--out", str(out)]) == 0
    out.write_text(out.read_text(encoding="utf-8").replace("- telly\n", ""), encoding="utf-8")
    assert main(["--check", "--out", str(out)]) == 1
