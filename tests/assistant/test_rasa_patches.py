"""The patched action-response validation accepts and rejects what Rasa's own does."""

from __future__ import annotations

import pytest


def test_valid_and_invalid_action_responses() -> None:
    from jsonschema import ValidationError
    from rasa.core.actions.action import RemoteAction

    from assistant.rasa_patches import speed_up_action_validation

    speed_up_action_validation()
    speed_up_action_validation()   # idempotent
    action = RemoteAction("action_x", None)
    good = {"events": [{"event": "slot", "name": "a", "value": 1}], "responses": [{"text": "hi"}]}
    assert action._validate_action_result(good)
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result({"events": "not a list", "responses": []})
