"""The OpenAPI 3 description served at `GET /openapi.json` (hand-written, kept beside the routes)."""

from __future__ import annotations

from typing import Any

_ERROR = {"$ref": "#/components/schemas/Error"}
_BEARER: list[dict[str, list[str]]] = [{"bearer": []}]


def _answer(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"description": description}
    if schema is not None:
        body["content"] = {"application/json": {"schema": schema}}
    return body


def _errors(*codes: int) -> dict[str, Any]:
    meaning = {400: "malformed JSON", 401: "no valid household token", 404: "unknown device or home",
               409: "the idempotency key's turn is still running", 413: "body over 64 KB",
               422: "a missing or invalid field", 503: "a store or the action server is unavailable"}
    return {str(code): _answer(meaning[code], _ERROR) for code in codes}


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


TURN_REQUEST = {
    "type": "object", "required": ["text", "device_id"],
    "properties": {
        "text": {"type": "string", "description": "what the user said"},
        "device_id": {"type": "string", "description": "the device spoken to"},
        "user_id": {"type": "string", "description": "default: the device's default user"},
        "conversation_id": {"type": "string", "description": "default: main"},
        "idempotency_key": {"type": "string", "description": "or the Idempotency-Key header"},
        "barge_in": {"type": "boolean"}, "asr_confidence": {"type": "number"},
    },
}
TURN_ANSWER = {
    "type": "object",
    "properties": {
        "conversation_id": {"type": "string"}, "user_id": {"type": "string"},
        "replies": {"type": "array", "items": {"type": "string"}},
        "directives": {"type": "array", "items": {"type": "string"}, "description": "applied"},
        "refused": {"type": "array", "items": {"type": "object", "properties": {
            "directive": {"type": "string"}, "reason": {"type": "string"}, "message": {"type": "string"}}}},
        "changed": {"type": "object", "additionalProperties": {"type": "object"}},
        "turn_id": {"type": "integer", "nullable": True}, "notice": {"type": "string"},
        "intent": {"type": "string", "nullable": True}, "confidence": {"type": "number", "nullable": True},
    },
}
HA_REQUEST = {
    "type": "object", "required": ["text"],
    "properties": {"text": {"type": "string"}, "conversation_id": {"type": "string"},
                   "device_id": {"type": "string"}, "language": {"type": "string"},
                   "user_id": {"type": "string"}},
}
HA_ANSWER = {
    "type": "object",
    "properties": {
        "response": {"type": "object", "properties": {
            "speech": {"type": "object", "properties": {"plain": {"type": "object", "properties": {
                "speech": {"type": "string"}}}}},
            "response_type": {"type": "string", "enum": ["action_done", "query_answer", "error"]},
            "language": {"type": "string"}, "data": {"type": "object"}}},
        "conversation_id": {"type": "string"},
        "assistant": TURN_ANSWER,
    },
}


def spec() -> dict[str, Any]:
    """The OpenAPI document."""
    user = {"name": "user_id", "in": "path", "required": True, "schema": {"type": "string"}}
    device = {"name": "device_id", "in": "path", "required": True, "schema": {"type": "string"}}
    key = {"name": "Idempotency-Key", "in": "header", "required": False, "schema": {"type": "string"}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "Smart-home assistant", "version": "1.0",
                 "description": "A Rasa 3.6 assistant for a home's devices; each household has its own tokens."},
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Error": {"type": "object", "properties": {
                "error": {"type": "string"}, "status": {"type": "integer"}}}},
        },
        "paths": {
            "/health": {"get": {"summary": "model, action server and stores (no token)", "responses": {
                "200": _answer("everything is up"), "503": _answer("something is down")}}},
            "/openapi.json": {"get": {"summary": "this description", "responses": {"200": _answer("OpenAPI")}}},
            "/api/turn": {"post": {
                "summary": "one turn through the full pipeline", "security": _BEARER, "parameters": [key],
                "requestBody": _body(TURN_REQUEST),
                "responses": {"200": _answer("the turn's answer", TURN_ANSWER),
                              **_errors(400, 401, 404, 409, 413, 422, 503)}}},
            "/api/conversation/process": {"post": {
                "summary": "Home Assistant's conversation API", "security": _BEARER, "parameters": [key],
                "requestBody": _body(HA_REQUEST),
                "responses": {"200": _answer("Home Assistant's answer shape", HA_ANSWER),
                              **_errors(400, 401, 404, 409, 413, 422, 503)}}},
            "/api/home": {"get": {"summary": "the household's devices and their state", "security": _BEARER,
                                  "responses": {"200": _answer("the home"), **_errors(401, 503)}}},
            "/api/home/devices/{device_id}/state": {"post": {
                "summary": "a device's new state, set by hand (validated)", "security": _BEARER,
                "parameters": [device],
                "requestBody": _body({"type": "object", "required": ["state"],
                                      "properties": {"state": {"type": "object"}}}),
                "responses": {"200": _answer("the new state"), **_errors(400, 401, 404, 413, 422, 503)}}},
            "/api/users/{user_id}/data": {
                "get": {"summary": "what is stored about a user", "security": _BEARER, "parameters": [user],
                        "responses": {"200": _answer("preferences, habits, rewrites, log rows"),
                                      **_errors(401, 422, 503)}},
                "delete": {"summary": "delete what is stored about a user", "security": _BEARER,
                           "parameters": [user],
                           "responses": {"200": _answer("rows deleted per store"), **_errors(401, 422, 503)}}},
            "/api/events": {"get": {
                "summary": "the home's events: long polling (?wait=S) or server-sent events "
                           "(Accept: text/event-stream)",
                "security": _BEARER,
                "parameters": [
                    {"name": "after", "in": "query", "schema": {"type": "integer"}},
                    {"name": "wait", "in": "query", "schema": {"type": "number", "maximum": 30}},
                    {"name": "timeout", "in": "query", "schema": {"type": "number"},
                     "description": "how long a stream stays open (seconds)"}],
                "responses": {"200": _answer("events after the given id"), **_errors(401, 422, 503)}}},
        },
    }
