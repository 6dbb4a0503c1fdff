"""Request parsing, error statuses, the Home Assistant answer shape, health, OpenAPI, home files."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from assistant.home import Home, HomeFileError
from assistant.paths import DataDir
from assistant.service import conversation, health, openapi, parsing
from assistant.service.errors import HttpError, http_error
from assistant.service.tables import ServiceStoreError


def request(body: bytes) -> SimpleNamespace:
    return SimpleNamespace(body=body)


@pytest.mark.parametrize("body, status", [(b"{bad", 400), (b"", 400), (b"\xff\xfe", 400), (b"[1]", 422)])
def test_bodies_that_are_not_json_objects(body: bytes, status: int) -> None:
    with pytest.raises(HttpError) as caught:
        parsing.json_body(request(body))
    assert caught.value.status == status


def test_a_turn_reads_only_its_own_fields() -> None:
    turn = parsing.turn_request("north", {"text": "hi", "device_id": "oven", "user_id": "alice",
                                          "home": "south", "context": {"home": {}}, "learning": {"x": 1}},
                                header_key="k1")
    assert (turn.home, turn.user_id, turn.idempotency_key) == ("north", "alice", "k1")


@pytest.mark.parametrize("body, status", [
    ({"device_id": "oven"}, 422), ({"text": 3, "device_id": "oven"}, 422), ({"text": "hi"}, 422),
    ({"text": "hi", "device_id": "oven", "user_id": "bad id"}, 422),
    ({"text": "hi", "device_id": "oven", "asr_confidence": 7}, 422),
    ({"text": "hi", "device_id": "oven", "barge_in": "yes"}, 422),
])
def test_missing_or_bad_fields_are_422(body: dict, status: int) -> None:
    with pytest.raises(Exception) as caught:
        parsing.turn_request("north", body, None)
    assert http_error(caught.value).status == status


def test_a_store_that_went_away_is_503_without_its_url() -> None:
    error = ServiceStoreError("could not read: connection to postgresql://u:secret@db/x refused")
    answer = http_error(error)
    assert answer.status == 503 and "secret" not in answer.message


def test_health_names_a_store_that_is_down(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_PREFS_URL", f"sqlite:///{tmp_path}/missing/dir/prefs.db")
    state = SimpleNamespace(data=DataDir(tmp_path), runtime=None)
    status, body = health.check(state)  # type: ignore[arg-type]
    assert status == 503
    assert body["stores"]["prefs"]["ok"] is False and body["stores"]["service"]["ok"] is True
    assert "missing" not in str(body["stores"])


def test_home_assistant_answer_shape() -> None:
    answer = {"conversation_id": "main", "replies": ["Turning on the kitchen light."],
              "directives": ["turn_on kitchen_light"], "refused": [], "changed": {"kitchen_light": {}}}
    shaped = conversation.ha_answer(answer, "en")
    assert shaped["response"]["speech"]["plain"]["speech"] == "Turning on the kitchen light."
    assert shaped["response"]["response_type"] == "action_done"
    assert shaped["conversation_id"] == "main" and shaped["assistant"] is answer
    refused = conversation.ha_answer({"replies": ["no"], "directives": [], "changed": {},
                                      "refused": [{"directive": "open oven", "reason": "UNSUPPORTED"}]})
    assert refused["response"]["response_type"] == "error"
    assert refused["response"]["data"]["failed"][0]["id"] == "oven"


def test_openapi_describes_every_endpoint() -> None:
    paths = openapi.spec()["paths"]
    assert {"/health", "/openapi.json", "/api/turn", "/api/conversation/process", "/api/home",
            "/api/home/devices/{device_id}/state", "/api/users/{user_id}/data", "/api/events"} <= set(paths)


def test_home_files_take_default_users(tmp_path: Path) -> None:
    path = tmp_path / "flat.yml"
    path.write_text("name: flat\ndefault_user: dana\nrooms: [kitchen]\ndevices:\n"
                    "  - {id: kitchen_speaker, kind: speaker, room: kitchen, capabilities: [speak],"
                    " default_user: alice}\n"
                    "  - {id: hall_speaker, kind: speaker, room: kitchen, capabilities: [speak]}\n")
    home = Home.load(path)
    assert home.default_user_of("kitchen_speaker") == "alice"
    assert home.default_user_of("hall_speaker") == "dana"
    assert Home.from_snapshot(home.snapshot()).default_user_of("kitchen_speaker") == "alice"
    assert "default_user" not in Home.default().snapshot()      # older snapshots are unchanged
    path.write_text(path.read_text().replace("dana", "not ok!"))
    with pytest.raises(HomeFileError, match="default_user"):
        Home.load(path)


def test_health_checks_the_lock_store_when_there_is_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_LOCK_URL", "redis://127.0.0.1:1/0")   # nothing listens there
    status, body = health.check(SimpleNamespace(data=DataDir(tmp_path), runtime=None))  # type: ignore[arg-type]
    assert status == 503 and body["stores"]["lock"]["ok"] is False
