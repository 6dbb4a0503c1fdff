"""Reading our service's answer to `POST /api/conversation/process` (Home Assistant's shape,
our own turn answer under "assistant"): a `Reply`, or None when the answer is not that shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .const import MAX_SPEECH_CHARS


@dataclass(frozen=True)
class Reply:
    speech: str
    conversation_id: str | None
    failed: bool
    query: bool
    changed: dict[str, dict[str, Any]] = field(default_factory=dict)


def read_reply(body: dict[str, Any]) -> Reply | str:
    """The reply, or why the body is not one (a short reason for the log)."""
    response = body.get("response")
    if not isinstance(response, dict):
        return "no 'response' object"
    speech = response.get("speech")
    plain = speech.get("plain") if isinstance(speech, dict) else None
    text = plain.get("speech") if isinstance(plain, dict) else None
    if not isinstance(text, str):
        return "no 'response.speech.plain.speech' string"
    conversation_id = body.get("conversation_id")
    if conversation_id is not None and not isinstance(conversation_id, str):
        return "'conversation_id' is not a string"
    assistant = body.get("assistant")
    changed = assistant.get("changed") if isinstance(assistant, dict) else None
    if changed is None:
        changed = {}
    if not isinstance(changed, dict) or not all(isinstance(v, dict) for v in changed.values()):
        return "'assistant.changed' is not an object of device states"
    if len(text) > MAX_SPEECH_CHARS:
        text = text[:MAX_SPEECH_CHARS].rsplit(" ", 1)[0] + "..."
    kind = response.get("response_type")
    return Reply(text, conversation_id, kind == "error", kind == "query_answer", changed)
