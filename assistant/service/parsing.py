"""Reading requests: the JSON body, the token, the turn's fields. Failures are HttpErrors."""

from __future__ import annotations

import json
import math
from typing import Any

from assistant.service import ids
from assistant.service.errors import HttpError
from assistant.service.idempotency import check_key
from assistant.service.turns import HouseholdRequest

IDEMPOTENCY_HEADER = "idempotency-key"


def json_body(request: Any) -> dict[str, Any]:
    """The body as a JSON object: 400 when it is not JSON, 422 when it is not an object."""
    raw = request.body or b""
    try:
        data = json.loads(raw.decode("utf-8")) if raw.strip() else None
    except (UnicodeDecodeError, ValueError) as error:
        raise HttpError(400, f"the body is not valid JSON: {error}") from None
    if not isinstance(data, dict):
        raise HttpError(422 if data is not None else 400, "the body must be a JSON object")
    return data


def turn_request(home: str, body: dict[str, Any], header_key: str | None, *, need_device: bool = True,
                 default_device: str | None = None) -> HouseholdRequest:
    """The turn a body asks for. Only these fields are read: a context snapshot, learning
    flags or home a client sends are ignored (the token decides the home)."""
    text = body.get("text")
    if not isinstance(text, str):
        raise HttpError(422, "'text' is required: what the user said, as a string")
    device = body.get("device_id")
    if device is None and not need_device:
        device = default_device
    if not isinstance(device, str) or not device:
        raise HttpError(422, "'device_id' is required: the device the user spoke to")
    user = _optional_id(body.get("user_id"), "user id")
    conversation = _optional_id(body.get("conversation_id"), "conversation id")
    key = header_key if header_key is not None else body.get("idempotency_key")
    if key is not None:
        key = check_key(key)
    barge_in = body.get("barge_in", False)
    if not isinstance(barge_in, bool):
        raise HttpError(422, "'barge_in' must be true or false")
    confidence = body.get("asr_confidence")
    if confidence is not None and (isinstance(confidence, bool) or not isinstance(confidence, (int, float))
                                   or not math.isfinite(confidence) or not 0 <= confidence <= 1):
        raise HttpError(422, "'asr_confidence' must be a number from 0 to 1")
    return HouseholdRequest(home=home, text=text, device_id=device, user_id=user, conversation_id=conversation,
                       barge_in=barge_in, asr_confidence=confidence, idempotency_key=key)


def _optional_id(value: Any, what: str) -> str | None:
    if value is None or value == "":
        return None
    return ids.check_client_id(value, what)


def wait_seconds(request: Any, name: str = "wait", limit: float = 30.0) -> float:
    raw = request.args.get(name)
    if raw is None:
        return 0.0
    try:
        value = float(raw)
    except ValueError:
        raise HttpError(422, f"'{name}' must be a number of seconds") from None
    if not math.isfinite(value) or value < 0:
        raise HttpError(422, f"'{name}' must be a number of seconds")
    return min(value, limit)


def after_id(request: Any) -> int | None:
    raw = request.args.get("after") or request.headers.get("last-event-id")
    if raw is None:
        return None
    try:
        return max(0, int(raw))
    except ValueError:
        raise HttpError(422, "'after' must be an event id (an integer)") from None
