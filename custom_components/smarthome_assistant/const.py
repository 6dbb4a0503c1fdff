"""Names and limits shared by the integration's modules."""

from __future__ import annotations

DOMAIN = "smarthome_assistant"
CONF_URL = "url"
CONF_TOKEN = "token"
CONF_TIMEOUT = "timeout"

DEFAULT_TIMEOUT = 10.0       # seconds for one request to our service; the pipeline never waits longer
MAX_ANSWER_BYTES = 256 * 1024  # an answer is a few KB; a bigger body is refused unread
MAX_SPEECH_CHARS = 2000

SPEECH_UNREACHABLE = "Sorry, I can't reach the assistant right now."
SPEECH_TIMEOUT = "Sorry, the assistant took too long to answer."
SPEECH_REFUSED = "Sorry, the assistant refused this request: its token is not valid."
SPEECH_BROKEN = "Sorry, the assistant gave an answer I couldn't understand."
