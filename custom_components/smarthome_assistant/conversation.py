"""The conversation agent Assist pipelines can choose: each request goes to our service, and
its answer comes back as a `ConversationResult`. A service that is down, slow, refuses the token
or answers nonsense gives a short spoken apology (and a clear line in the log), within the
client's timeout: the pipeline never hangs."""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from typing import Literal

from homeassistant.components import conversation
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import MATCH_ALL
from homeassistant.core import HomeAssistant
from homeassistant.helpers import intent
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.util import ulid

from . import const
from .client import Answer, FailureKind
from .mirror import HomeMirror
from .reply import Reply, read_reply

_LOGGER = logging.getLogger(__name__)
CLIENT_ID = re.compile(r"^[A-Za-z0-9_@-]{1,39}$")   # the service's user and conversation ids
SPEECH = {FailureKind.UNREACHABLE: const.SPEECH_UNREACHABLE, FailureKind.TIMEOUT: const.SPEECH_TIMEOUT,
          FailureKind.UNAUTHORIZED: const.SPEECH_REFUSED, FailureKind.MALFORMED: const.SPEECH_BROKEN,
          FailureKind.HTTP_ERROR: const.SPEECH_BROKEN}


async def async_setup_entry(hass: HomeAssistant, entry: ConfigEntry, async_add_entities: AddEntitiesCallback) -> None:
    async_add_entities([AssistantAgent(entry)])


def service_id(value: str | None) -> str | None:
    """An id the service accepts: as it is when it fits, else a stable hash of it."""
    if not value:
        return None
    return value if CLIENT_ID.match(value) else "h" + hashlib.sha256(value.encode()).hexdigest()[:32]


class AssistantAgent(conversation.ConversationEntity):
    _attr_has_entity_name = True
    _attr_name = None

    def __init__(self, entry: ConfigEntry) -> None:
        self.entry = entry
        self._attr_unique_id = entry.entry_id

    @property
    def supported_languages(self) -> list[str] | Literal["*"]:
        return MATCH_ALL

    @property
    def mirror(self) -> HomeMirror:
        mirror: HomeMirror = self.entry.runtime_data
        return mirror

    async def async_process(self, user_input: conversation.ConversationInput) -> conversation.ConversationResult:
        conversation_id = user_input.conversation_id or ulid.ulid_now()
        request = {"text": user_input.text, "conversation_id": service_id(conversation_id),
                   "language": user_input.language}
        device = self.mirror.satellite_device(user_input.device_id)
        if device:
            request["device_id"] = device
        user = await self._user_of(user_input.context.user_id)
        if user:
            request["user_id"] = user
        outcome = await self.mirror.client.process(request)
        reply = read_reply(outcome.body) if isinstance(outcome, Answer) else None
        response = intent.IntentResponse(language=user_input.language)
        if isinstance(reply, Reply):
            await self.mirror.apply(reply.changed, user_input.context)
            if reply.failed:
                response.async_set_error(intent.IntentResponseErrorCode.FAILED_TO_HANDLE, reply.speech)
            else:
                response.async_set_speech(reply.speech)
                if reply.query:
                    response.response_type = intent.IntentResponseType.QUERY_ANSWER
        else:
            kind = outcome.kind if not isinstance(outcome, Answer) else FailureKind.MALFORMED
            detail = outcome.detail if not isinstance(outcome, Answer) else f"the answer has {reply}"
            _LOGGER.error("%s (%s): %s", self.mirror.client.url, kind.value, detail)
            response.async_set_error(intent.IntentResponseErrorCode.UNKNOWN, SPEECH[kind])
        return conversation.ConversationResult(response=response, conversation_id=conversation_id)

    async def _user_of(self, ha_user_id: str | None) -> str | None:
        """Our user id for the Home Assistant user who spoke (None when unknown)."""
        if not ha_user_id:
            return None
        user = await self.hass.auth.async_get_user(ha_user_id)
        return service_user(user.name, user.id) if user is not None else None


def service_user(name: str | None, ha_user_id: str) -> str:
    """The service's user id for a Home Assistant user: the name made an id, with a short hash
    of the user's id so that two people with similar names ("Zoë", "Zoé") are never one user."""
    plain = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode()
    readable = re.sub(r"[^a-z0-9_]+", "_", plain.lower()).strip("_")[:30] or "user"
    return f"{readable}-{hashlib.sha256(ha_user_id.encode()).hexdigest()[:8]}"
