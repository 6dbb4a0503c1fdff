"""The import contracts of pyproject.toml (checked by `lint-imports`) cover the whole product."""

from __future__ import annotations

import pkgutil

import pytest

import assistant
from assistant.paths import PROJECT_ROOT


def test_every_product_package_but_the_cli_is_kept_from_the_simulator_and_the_lab() -> None:
    tomli = pytest.importorskip("tomli")   # Python 3.10: no tomllib; import-linter brings tomli
    contracts = tomli.loads((PROJECT_ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    strict = [c for c in contracts if c["type"] == "forbidden" and set(c["forbidden_modules"]) == {"simulator", "lab"}]
    assert len(strict) == 1 and strict[0]["allow_indirect_imports"] is False
    children = {f"assistant.{m.name}" for m in pkgutil.iter_modules(assistant.__path__)}
    assert set(strict[0]["source_modules"]) == children - {"assistant.cli"}
