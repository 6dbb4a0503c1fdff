"""Where a turn's time goes: timers wrapped around the stack's phases, for `assistant bench`.

`PhaseTimer.install()` wraps the functions named in `PHASES` (our code and Rasa's) with a
timer that adds their wall time to the current turn while the timer is `recording()`; the
bench records only the full-stack turns. Times are inclusive: MiniLM is also inside the
rewriter and the featurizer, the tracker reads and writes inside Rasa's turn. `uninstall()`
puts the originals back. Nothing is wrapped unless a bench asks for it.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

# (phase, module, class or None, attribute). Several targets may share one phase.
PHASES: tuple[tuple[str, str, str | None, str], ...] = (
    ("clean + context", "assistant.pipeline", None, "build_context"),
    ("clean + context", "assistant.pipeline", None, "clean_text"),
    ("habits step parse", "assistant.habits.recognise", None, "step_metadata"),
    ("Rasa handle_message", "rasa.core.agent", "Agent", "handle_message"),
    ("NLU parse", "rasa.core.processor", "MessageProcessor", "parse_message"),
    ("rewriter", "assistant.components.query_rewriter", "QueryRewriter", "process"),
    ("MiniLM featurizer", "assistant.components.minilm_featurizer", "MiniLMFeaturizer", "process"),
    ("MiniLM model (uncached)", "assistant.minilm", "NumpyMiniLM", "encode"),
    ("MiniLM model (uncached)", "assistant.minilm_onnx", "OnnxMiniLM", "encode"),
    ("intent classifier", "assistant.components.linear_intent_classifier", "LinearIntentClassifier", "process"),
    ("entity extraction", "assistant.components.crf_entities", "FastLoadCRFEntityExtractor", "process"),
    ("entity extraction", "rasa.nlu.extractors.regex_entity_extractor", "RegexEntityExtractor", "process"),
    ("entity extraction", "rasa.nlu.extractors.entity_synonyms", "EntitySynonymMapper", "process"),
    ("policies", "rasa.core.processor", "MessageProcessor", "_predict_next_with_tracker"),
    ("action server round trip", "rasa.core.actions.action", "RemoteAction", "run"),
    ("tracker store read", "rasa.core.tracker_store", "SQLTrackerStore", "retrieve"),
    ("tracker store write", "rasa.core.tracker_store", "SQLTrackerStore", "save"),
    ("tracker read after turn", "assistant.pipeline", "TurnPipeline", "_read_tracker"),
    ("directives", "assistant.pipeline", "TurnPipeline", "_apply_directives"),
    ("observers", "assistant.pipeline", None, "run_observers"),
    ("interaction log", "assistant.pipeline", "TurnPipeline", "_log_turn"),
    ("slots after turn", "assistant.runtime", "Runtime", "set_slots"),
)


CALLS = "#"   # a turn's call count of a phase is kept under "#" + the phase's name


@dataclass
class PhaseTimer:
    """Per-turn wall time and call counts of each phase (milliseconds)."""

    turns: list[dict[str, float]] = field(default_factory=list)
    _current: dict[str, float] | None = None
    _originals: list[tuple[Any, str, Any]] = field(default_factory=list)
    _depth: dict[str, int] = field(default_factory=dict)
    _nodes: list[Any] = field(default_factory=list)

    def install(self, agents: tuple[Any, ...] = ()) -> "PhaseTimer":
        """Wrap the phases; ``agents``: loaded Rasa agents whose graph nodes took their
        component's function at load time (they are pointed at the wrappers too)."""
        for phase, module_name, class_name, attribute in PHASES:
            try:
                owner: Any = importlib.import_module(module_name)
                if class_name is not None:
                    owner = getattr(owner, class_name)
                original = getattr(owner, attribute)
            except (ImportError, AttributeError):
                continue   # a phase this version of the stack does not have
            # A class attribute as stored (an inherited method is wrapped on the subclass).
            raw = inspect.getattr_static(owner, attribute)
            self._originals.append((owner, attribute, raw if attribute in vars(owner) else None))
            setattr(owner, attribute, self._wrap(phase, original))
        self._nodes = [node for agent in agents for node in _graph_nodes(agent)]
        self._refresh_nodes()
        return self

    def _refresh_nodes(self) -> None:
        for node in self._nodes:
            node._fn = getattr(node._component_class, node._fn_name)

    def uninstall(self) -> None:
        for owner, attribute, raw in reversed(self._originals):
            if raw is None:
                delattr(owner, attribute)
            else:
                setattr(owner, attribute, raw)
        self._originals.clear()
        self._refresh_nodes()
        self._nodes = []

    @contextmanager
    def recording(self) -> Iterator[None]:
        """Time the phases of one turn (nested calls of one phase count once)."""
        self._current = {}
        start = time.perf_counter()
        try:
            yield
        finally:
            self._current["turn"] = (time.perf_counter() - start) * 1000
            self.turns.append(self._current)
            self._current = None

    def _add(self, phase: str, started: float) -> None:
        if self._current is not None:
            self._current[phase] = self._current.get(phase, 0.0) + (time.perf_counter() - started) * 1000
            self._current[CALLS + phase] = self._current.get(CALLS + phase, 0) + 1

    def _wrap(self, phase: str, function: Callable[..., Any]) -> Callable[..., Any]:
        timer = self

        if inspect.iscoroutinefunction(function):
            @functools.wraps(function)
            async def timed_async(*args: Any, **kwargs: Any) -> Any:
                if timer._depth.get(phase):
                    return await function(*args, **kwargs)
                timer._depth[phase] = 1
                started = time.perf_counter()
                try:
                    return await function(*args, **kwargs)
                finally:
                    timer._depth[phase] = 0
                    timer._add(phase, started)
            return timed_async

        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            if timer._depth.get(phase):
                return function(*args, **kwargs)
            timer._depth[phase] = 1
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                timer._depth[phase] = 0
                timer._add(phase, started)
        return timed

    def summary(self, start: int = 0, stop: int | None = None, step: int = 1) -> dict[str, dict[str, float]]:
        """Per phase over the recorded turns [start:stop:step]: mean ms per turn, p95 ms per turn,
        calls per turn (phases in PHASES order)."""
        from lab.evaluation.bench import percentile

        turns = self.turns[start:stop:step]
        n = len(turns)
        if not n:
            return {}
        names = list(dict.fromkeys([p[0] for p in PHASES] + ["turn"]))
        out: dict[str, dict[str, float]] = {}
        for name in names:
            values = [turn.get(name, 0.0) for turn in turns]
            if not any(values):
                continue
            calls = float(n) if name == "turn" else sum(turn.get(CALLS + name, 0.0) for turn in turns)
            out[name] = {"mean_ms": round(sum(values) / n, 2), "p95_ms": round(percentile(values, 95), 2),
                         "calls_per_turn": round(calls / n, 2)}
        return out


def _graph_nodes(agent: Any) -> list[Any]:
    """The graph nodes of a loaded agent's model (empty when Rasa's layout differs)."""
    runner = getattr(getattr(agent, "processor", None), "graph_runner", None)
    nodes = getattr(runner, "_instantiated_nodes", None) or {}
    return [node for node in nodes.values() if hasattr(node, "_fn") and hasattr(node, "_fn_name")]
