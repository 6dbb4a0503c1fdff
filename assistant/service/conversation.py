"""Home Assistant's conversation API shape (`POST /api/conversation/process`).

Home Assistant answers ``{"response": {"response_type", "language", "speech": {"plain":
{"speech", "extra_data"}}, "card", "data"}, "conversation_id", "continue_conversation"}``;
clients written for it read that. Our own turn answer rides along under ``"assistant"``.
"""

from __future__ import annotations

from typing import Any

from assistant.service.homes import HomeStore


def default_device(homes: HomeStore, home: str) -> str | None:
    """The device a Home Assistant request without ``device_id`` speaks to: the first device
    in the home that can hear (None when there is none)."""
    loaded, _ = homes.load(home)
    return next((d.id for d in loaded.devices.values() if d.can_speak), None)


def ha_answer(answer: dict[str, Any], language: str = "en") -> dict[str, Any]:
    """Our turn answer in Home Assistant's conversation response shape."""
    applied, refused = answer.get("directives") or [], answer.get("refused") or []
    speech = " ".join(answer.get("replies") or [])
    if applied:
        kind = "action_done"
    elif refused:
        kind = "error"
    else:
        kind = "query_answer"
    data: dict[str, Any] = {
        "targets": [],
        "success": [{"name": device, "type": "entity", "id": device} for device in answer.get("changed") or {}],
        "failed": [{"name": r.get("directive", ""), "type": "entity", "id": _device_of(r.get("directive", ""))}
                   for r in refused],
    }
    if kind == "error":
        data["code"] = "failed_to_handle"
    return {
        "response": {
            "speech": {"plain": {"speech": speech, "extra_data": None}},
            "card": {},
            "language": language,
            "response_type": kind,
            "data": data,
        },
        "conversation_id": answer.get("conversation_id"),
        "continue_conversation": False,
        "assistant": answer,
    }


def _device_of(directive: str) -> str:
    parts = directive.split()
    return parts[1] if len(parts) > 1 else ""
