"""Build a rasa_sdk Tracker inline, with the ambient context the runtime would attach."""

from __future__ import annotations

from typing import Any, Callable

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher


@pytest.fixture
def home():
    from assistant.home import Home

    return Home.default()


@pytest.fixture
def make_tracker(home) -> Callable[..., Tracker]:
    from assistant.context import build_context

    def make(text: str, intent: str, *, device: str = "kitchen_speaker",
             entities: list[dict[str, Any]] | None = None, slots: dict[str, Any] | None = None,
             with_context: bool = True, confidence: float = 0.99) -> Tracker:
        metadata = {"user_id": "alice", "device_id": device}
        if with_context:
            metadata["context"] = build_context(home, device)
        latest = {
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
            "entities": entities or [],
            "metadata": metadata,
        }
        return Tracker("alice", slots or {}, latest, [], False, None, {}, "action_listen")

    return make


def run_action(action: Any, tracker: Tracker) -> tuple[list[dict], list[str], list[str]]:
    """Run an action; return its events, text messages and directives."""
    import asyncio

    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    texts = [m["text"] for m in dispatcher.messages if m.get("text")]
    directives = [d for m in dispatcher.messages if m.get("custom")
                  for d in m["custom"].get("directives", [])]
    return events, texts, directives
