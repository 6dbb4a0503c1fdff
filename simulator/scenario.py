"""Scenario files: parse them (errors name file and line) and run them through a runtime.

The model and parser live in ``simulator.scenario_model``, the runner in
``simulator.scenario_runner``; this module is the one to import from.
"""

from __future__ import annotations

from simulator.scenario_model import (
    DEFAULT_DEVICE,
    DEFAULT_HOME,
    DEFAULT_USER,
    Expectation,
    PreferenceExpectation,
    Scenario,
    ScenarioError,
    ScenarioTurn,
    ScenarioUser,
    load_scenario,
    parse_scenario,
)
from simulator.scenario_runner import (
    Failure,
    ScenarioReport,
    ScenarioRuntime,
    format_failure,
    load_home,
    normalize,
    run_scenario,
)

__all__ = [
    "DEFAULT_DEVICE", "DEFAULT_HOME", "DEFAULT_USER", "Expectation", "Failure",
    "PreferenceExpectation", "Scenario", "ScenarioError", "ScenarioReport", "ScenarioRuntime",
    "ScenarioTurn", "ScenarioUser", "format_failure", "load_home", "load_scenario", "normalize",
    "parse_scenario", "run_scenario",
]
