from __future__ import annotations

import pytest

from assistant.prefs.keys import PrefKey
from assistant.services.teaching import answers_offer, offered_key


@pytest.mark.parametrize(("pending", "text", "intent", "answers"), [
    ("offer:music_genre", "jazz", "play_media", True),
    ("offer:music_genre", "I like jazz", "state_preference", True),
    ("offer:music_genre", "jaz", "nlu_fallback", True),        # a typo: "Did you mean jazz?"
    ("offer:music_genre", "no thanks", "deny", True),
    ("offer:music_genre", "turn on the lights", "turn_on", False),
    ("offer:home_city", "Wilkerson", "inform_place", True),    # needs "which one?"
    ("offer:home_city", "what time is it", "ask_time", False),
    ("check:play_media", "jazz", "play_media", False),
    (None, "jazz", "play_media", False),
])
def test_answers_offer(pending, text: str, intent: str, answers: bool) -> None:
    assert answers_offer(pending, text, intent) is answers


def test_offered_key() -> None:
    assert offered_key("offer:cuisine") is PrefKey.CUISINE
    assert offered_key("offer:nonsense") is None
    assert offered_key("forget:*") is None
