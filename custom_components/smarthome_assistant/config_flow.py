"""Asks for the service's URL and a household token, and checks both before saving."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlparse

import voluptuous as vol
from homeassistant.config_entries import ConfigFlow, ConfigFlowResult
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from .client import Answer, FailureKind, ServiceClient
from .const import CONF_TOKEN, CONF_URL, DOMAIN

TOKEN_SCHEMA = vol.Schema({vol.Required(CONF_TOKEN): str})
SCHEMA = vol.Schema({vol.Required(CONF_URL, default="http://127.0.0.1:5005"): str, vol.Required(CONF_TOKEN): str})


async def check(client: ServiceClient) -> tuple[str | None, str | None]:
    """(home name, None) when the service answers `GET /api/home` for this token, else
    (None, error key of strings.json)."""
    outcome = await client.home()
    if not isinstance(outcome, Answer):
        return None, {FailureKind.UNAUTHORIZED: "invalid_auth", FailureKind.UNREACHABLE: "cannot_connect",
                      FailureKind.TIMEOUT: "cannot_connect"}.get(outcome.kind, "bad_answer")
    name, devices = outcome.body.get("name"), outcome.body.get("devices")
    if not isinstance(name, str) or not isinstance(devices, list):
        return None, "bad_answer"
    return name, None


class AssistantConfigFlow(ConfigFlow, domain=DOMAIN):
    VERSION = 1

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        errors: dict[str, str] = {}
        if user_input is not None:
            url = user_input[CONF_URL].strip().rstrip("/")
            token = user_input[CONF_TOKEN].strip()
            parts = urlparse(url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                errors[CONF_URL] = "invalid_url"
            else:
                home, error = await check(ServiceClient(async_get_clientsession(self.hass), url, token))
                if error:
                    errors["base"] = error
                else:
                    await self.async_set_unique_id(f"{url}#{home}")
                    self._abort_if_unique_id_configured()
                    return self.async_create_entry(title=f"{home} ({url})", data={CONF_URL: url, CONF_TOKEN: token})
        return self.async_show_form(step_id="user", data_schema=self.add_suggested_values_to_schema(
            SCHEMA, user_input or {}), errors=errors)

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """The service refused the entry's token (401 at set-up): ask for a new one."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            token = user_input[CONF_TOKEN].strip()
            client = ServiceClient(async_get_clientsession(self.hass), entry.data[CONF_URL], token)
            home, error = await check(client)
            if error:
                errors["base"] = error
            elif entry.unique_id != f"{entry.data[CONF_URL]}#{home}":
                errors["base"] = "other_household"
            else:
                return self.async_update_reload_and_abort(entry, data_updates={CONF_TOKEN: token})
        return self.async_show_form(step_id="reauth_confirm", data_schema=TOKEN_SCHEMA, errors=errors,
                                    description_placeholders={"url": entry.data[CONF_URL]})
