"""`assistant serve` end to end: one real server process (the trained model, a real action
server, SQLite in a temporary data folder) and two households, over real HTTP."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from assistant.paths import PROJECT_ROOT
from tests.assistant.service.conftest import ASSISTANT, Client, Server

pytestmark = pytest.mark.stack


def _states(client: Client) -> dict[str, dict[str, Any]]:
    answer = client.get("/api/home")
    assert answer.status_code == 200, answer.text
    return {d["id"]: d["state"] for d in answer.json()["devices"]}


# -- open endpoints ---------------------------------------------------------------------


def test_health_reports_model_action_server_and_stores_without_a_token(server: Server) -> None:
    answer = requests.get(server.base + "/health", timeout=30)
    body = answer.json()
    assert answer.status_code == 200 and body["status"] == "ok"
    assert body["model"]["fingerprint"] and body["action_server"]["ok"]
    assert set(body["stores"]) >= {"prefs", "learning", "service", "tracker"}
    assert all(store["ok"] for store in body["stores"].values())
    assert "alice" not in answer.text and "north" not in answer.text


def test_openapi_is_served(server: Server) -> None:
    spec = requests.get(server.base + "/openapi.json", timeout=30).json()
    assert spec["openapi"].startswith("3.") and "/api/conversation/process" in spec["paths"]


# -- turns ------------------------------------------------------------------------------


def test_a_turn_changes_only_its_own_home(server: Server) -> None:
    answer = server.north.turn("turn on the lights", user_id="bob")
    assert answer["directives"] == ["turn_on kitchen_light"]
    assert answer["changed"]["kitchen_light"]["power"] == "on"
    assert answer["user_id"] == "bob" and answer["conversation_id"] == "main" and answer["turn_id"]
    assert _states(server.north)["kitchen_light"]["power"] == "on"
    assert _states(server.south)["kitchen_light"]["power"] == "off"


def test_a_request_without_a_user_speaks_as_the_default_user(server: Server) -> None:
    assert server.north.turn("what time is it")["user_id"] == "alice"                    # the device's
    assert server.north.turn("what time is it", device="bedroom_speaker")["user_id"] == "dana"   # the home's
    assert server.south.turn("what time is it")["user_id"] == "guest"


def test_the_home_assistant_conversation_endpoint(server: Server) -> None:
    answer = server.south.post("/api/conversation/process",
                               {"text": "turn on the lights", "device_id": "bedroom_speaker",
                                "conversation_id": "ha1", "language": "en"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["conversation_id"] == "ha1"
    assert body["response"]["response_type"] == "action_done"
    assert "bedroom" in body["response"]["speech"]["plain"]["speech"].lower()
    assert body["assistant"]["changed"]["bedroom_light"]["power"] == "on"


def test_a_retried_idempotency_key_is_answered_once(server: Server) -> None:
    body = {"text": "set the thermostat to 23", "device_id": "kitchen_speaker", "user_id": "erin"}
    first = server.north.post("/api/turn", body, headers={"Idempotency-Key": "retry-1"})
    again = server.north.post("/api/turn", body, headers={"Idempotency-Key": "retry-1"})
    in_body = server.north.post("/api/turn", {**body, "idempotency_key": "retry-1"})
    assert first.status_code == again.status_code == in_body.status_code == 200
    assert again.json() == first.json() == in_body.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert server.north.get("/api/users/erin/data").json()["log"]["turns"] == 1   # played once
    other_home = server.south.post("/api/turn", body, headers={"Idempotency-Key": "retry-1"})
    assert other_home.headers.get("Idempotent-Replayed") is None                   # keys are per home


def test_conversations_are_named_by_the_client(server: Server) -> None:
    answer = server.north.turn("hello", user_id="bob", conversation_id="kitchen-chat")
    assert answer["conversation_id"] == "kitchen-chat"


# -- tokens -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["missing", "wrong", "revoked"])
def test_no_valid_token_is_401_and_nothing_is_logged(server: Server, who: str) -> None:
    client = {"missing": Client(server.base, None), "wrong": Client(server.base, "not-a-token"),
              "revoked": server.revoked}[who]
    for path, body in (("/api/turn", {"text": "turn on the lights", "device_id": "kitchen_speaker",
                                      "user_id": f"mallory-{who}"}),
                       ("/api/conversation/process", {"text": "hi", "user_id": f"mallory-{who}"})):
        answer = client.post(path, body)
        assert answer.status_code == 401 and answer.headers.get("WWW-Authenticate") == "Bearer"
    assert client.get("/api/home").status_code == 401
    assert client.get(f"/api/users/mallory-{who}/data").status_code == 401
    assert server.north.get(f"/api/users/mallory-{who}/data").json()["log"]["turns"] == 0
    with sqlite3.connect(f"file:{server.root / 'tracker.db'}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT count(*) FROM events WHERE sender_id LIKE ?", (f"%mallory-{who}%",)).fetchone()
    assert rows[0] == 0


def test_the_tokens_command(server: Server) -> None:
    run = [ASSISTANT, "tokens", "--data-dir", str(server.root)]
    created = subprocess.run([*run[:2], "create", "--home", "south", *run[2:]], capture_output=True, text=True,
                             timeout=120, cwd=PROJECT_ROOT)
    token = created.stdout.strip()
    assert created.returncode == 0 and len(token) >= 40
    assert Client(server.base, token).get("/api/home").json()["name"] == "south"
    listed = subprocess.run([*run[:2], "list", "--home", "south", *run[2:]], capture_output=True, text=True,
                            timeout=120, cwd=PROJECT_ROOT)
    assert listed.returncode == 0 and "south" in listed.stdout and token not in listed.stdout
    newest = max(int(line.split()[1]) for line in listed.stdout.splitlines()
                 if line.startswith("│") and line.split()[1].isdigit())
    revoked = subprocess.run([*run[:2], "revoke", str(newest), *run[2:]], capture_output=True, text=True,
                             timeout=120, cwd=PROJECT_ROOT)
    assert revoked.returncode == 0
    assert Client(server.base, token).get("/api/home").status_code == 401


# -- the home over HTTP -----------------------------------------------------------------


def test_a_state_set_by_hand_is_the_next_turns_context(server: Server) -> None:
    answer = server.north.post("/api/home/devices/oven/state", {"state": {"power": "on", "temperature": 180}})
    assert answer.status_code == 200, answer.text
    assert answer.json()["state"]["power"] == "on"
    reply = " ".join(server.north.turn("what is the temperature", user_id="bob")["replies"])
    assert "oven" in reply.lower()
    assert _states(server.south)["oven"]["power"] == "off"


def test_concurrent_changes_to_one_home_are_all_kept(server: Server) -> None:
    changes = {"garage_door": {"position": "open"}, "front_door_lock": {"locked": False},
               "office_light": {"brightness": 37}, "coffee_maker": {"power": "on"}}

    def set_state(device: str) -> int:
        return server.south.post(f"/api/home/devices/{device}/state", {"state": changes[device]}).status_code

    with ThreadPoolExecutor(max_workers=5) as pool:
        turn = pool.submit(server.south.turn, "turn on the lights", "living_room_tv", user_id="zoe")
        statuses = list(pool.map(set_state, changes))
        assert turn.result()["changed"]["living_room_light"]["power"] == "on"
    assert statuses == [200] * len(changes)
    states = _states(server.south)
    assert states["living_room_light"]["power"] == "on"
    for device, values in changes.items():
        assert {k: states[device][k] for k in values} == values


# -- users ------------------------------------------------------------------------------


def test_user_data_is_per_home_and_can_be_deleted(server: Server) -> None:
    server.north.turn("I love jazz", user_id="alice")
    server.south.turn("what time is it", user_id="alice")
    north = server.north.get("/api/users/alice/data").json()
    south = server.south.get("/api/users/alice/data").json()
    assert any(p["value"] == "jazz" for p in north["preferences"])
    assert south["preferences"] == []
    assert all("jazz" not in row["text"] for row in south["log"]["rows"])
    north_turns = north["log"]["turns"]
    deleted = server.south.delete("/api/users/alice/data").json()["deleted"]
    assert deleted["log"] >= 1 and deleted["preferences"] == 0
    assert server.north.get("/api/users/alice/data").json()["log"]["turns"] == north_turns   # untouched
    assert server.north.delete("/api/users/alice/data").json()["deleted"]["preferences"] >= 1
    gone = server.north.get("/api/users/alice/data").json()
    assert gone["preferences"] == [] and gone["log"]["turns"] == 0


# -- time and events --------------------------------------------------------------------


def test_a_timer_fires_on_the_real_clock_and_only_its_home_hears(server: Server) -> None:
    start = server.north.get("/api/events").json()["last_id"]
    ends = (dt.datetime.now() + dt.timedelta(seconds=2)).replace(microsecond=0).isoformat()
    set_timer = server.north.post("/api/home/devices/kitchen_speaker/state",
                                  {"state": {"timers": [{"ends_at": ends, "label": "tea"}]}})
    assert set_timer.status_code == 200, set_timer.text
    seen: list[dict[str, Any]] = []
    after, deadline = start, time.monotonic() + 20
    while not any(e["kind"] == "timer_done" for e in seen) and time.monotonic() < deadline:
        batch = server.north.get("/api/events", after=after, wait=5).json()
        seen += batch["events"]
        after = batch["last_id"]
    assert [e["detail"].get("label") for e in seen if e["kind"] == "timer_done"] == ["tea"]
    assert _states(server.north)["kitchen_speaker"]["timers"] == []
    south = server.south.get("/api/events", after=0).json()["events"]
    assert not any(e["kind"] == "timer_done" for e in south)


def test_events_stream_as_server_sent_events(server: Server) -> None:
    server.north.post("/api/home/devices/bedroom_light/state", {"state": {"brightness": 41}})
    server.south.post("/api/home/devices/bedroom_light/state", {"state": {"brightness": 59}})
    answer = requests.get(server.base + "/api/events", params={"after": 0, "timeout": 1.5},
                          headers={**server.north.headers(), "Accept": "text/event-stream"}, timeout=30)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/event-stream")
    data = [json.loads(line[len("data: "):]) for line in answer.text.splitlines() if line.startswith("data: ")]
    brightness = [e["state"].get("brightness") for e in data if e.get("device_id") == "bedroom_light"]
    assert 41 in brightness and 59 not in brightness


# -- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize("path, raw, status", [
    ("/api/turn", b"{not json", 400),
    ("/api/turn", b"x" * (1024 * 1024), 413),
    ("/api/turn", b'{"device_id": "kitchen_speaker"}', 422),
    ("/api/turn", b'{"text": "hi"}', 422),
    ("/api/turn", b'{"text": "hi", "device_id": "garage_sofa"}', 404),
    ("/api/turn", b'{"text": "hi", "device_id": "oven"}', 404),              # can't hear
    ("/api/turn", b'{"text": "hi", "device_id": "kitchen_speaker", "user_id": "../etc"}', 422),
    ("/api/turn", b'{"text": "hi", "device_id": "kitchen_speaker", "conversation_id": "a b"}', 422),
    ("/api/conversation/process", b"[]", 422),
    ("/api/home/devices/oven/state", b'{"state": {"temperature": 999}}', 422),
    ("/api/home/devices/sofa/state", b'{"state": {"power": "on"}}', 404),
    ("/api/home/devices/oven/state", b'{"state": {}}', 422),
])
def test_bad_input_gets_a_clear_error(server: Server, path: str, raw: bytes, status: int) -> None:
    answer = server.north.post(path, raw=raw)
    assert answer.status_code == status, answer.text
    assert answer.json()["error"]


def test_the_server_keeps_serving_after_bad_input(server: Server) -> None:
    assert server.north.post("/api/turn", raw=b"\xff" * 100).status_code == 400
    assert server.north.get("/api/users/bad%20id/data").status_code == 422
    assert server.north.turn("turn off the lights", user_id="bob")["replies"]
    assert requests.get(server.base + "/health", timeout=30).status_code == 200


def _action_server_pid(server: Server) -> int:
    """The action server the serving process started (its child running assistant.actions_process)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(stat[1]) == server.process.pid and "assistant.actions_process" in cmdline:
            return int(entry.name)
    raise AssertionError("the server has no action server child")


def test_a_dead_action_server_is_reported_and_replaced(server: Server) -> None:
    os.kill(_action_server_pid(server), signal.SIGKILL)
    deadline = time.monotonic() + 10
    while requests.get(server.base + "/health", timeout=30).status_code == 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    down = requests.get(server.base + "/health", timeout=30)
    assert down.status_code == 503 and down.json()["action_server"]["ok"] is False
    assert server.north.get("/api/home").status_code == 200          # the rest keeps serving
    assert server.north.turn("turn on the lights", user_id="bob")["directives"]   # restarted for the turn
    assert requests.get(server.base + "/health", timeout=30).status_code == 200


def test_a_service_database_that_goes_away_is_503_and_nothing_is_lost(server: Server) -> None:
    before = server.north.get("/api/home").json()
    db, away = server.root / "service.db", server.root / "service.db.away"
    db.rename(away)
    db.mkdir()   # no database can be opened at that path now
    try:
        health = requests.get(server.base + "/health", timeout=30)
        assert health.status_code == 503
        assert health.json()["stores"]["service"]["ok"] is False and health.json()["stores"]["prefs"]["ok"]
        turn = server.north.post("/api/turn", {"text": "turn on the lights", "device_id": "kitchen_speaker"})
        assert turn.status_code == 503 and turn.json()["retry"] is True
        assert requests.get(server.base + "/openapi.json", timeout=30).status_code == 200
    finally:
        db.rmdir()
        away.rename(db)
    after = server.north.get("/api/home")
    assert after.status_code == 200 and after.json()["version"] >= before["version"]
    states_before = {d["id"]: d["state"] for d in before["devices"]}
    states_after = {d["id"]: d["state"] for d in after.json()["devices"]}
    for device in ("kitchen_light", "garage_door", "front_door_lock", "bedroom_light"):
        assert states_after[device] == states_before[device]
    assert server.north.turn("what time is it", user_id="bob")["replies"]


def test_the_same_key_sent_twice_at_once_is_played_once(server: Server) -> None:
    body = {"text": "turn on the lights", "device_id": "bedroom_speaker", "user_id": "frank"}

    def send(_: int) -> requests.Response:
        return server.north.post("/api/turn", body, headers={"Idempotency-Key": "race-1"})

    with ThreadPoolExecutor(max_workers=3) as pool:
        answers = list(pool.map(send, range(3)))
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert answers[0].json() == answers[1].json() == answers[2].json()
    assert sum(a.headers.get("Idempotent-Replayed") == "true" for a in answers) == 2
    assert server.north.get("/api/users/frank/data").json()["log"]["turns"] == 1
