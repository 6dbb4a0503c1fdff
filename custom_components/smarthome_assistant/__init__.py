"""A conversation agent for Assist that sends each request to the learning smart-home
assistant's service (`assistant serve`), and keeps our household's home and Home Assistant's in
step (see mirror.py)."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryNotReady
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from .client import Answer, FailureKind, ServiceClient
from .const import CONF_TIMEOUT, CONF_TOKEN, CONF_URL, DEFAULT_TIMEOUT
from .mirror import HomeMirror

PLATFORMS = [Platform.CONVERSATION]


async def async_setup_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    client = ServiceClient(async_get_clientsession(hass), entry.data[CONF_URL], entry.data[CONF_TOKEN],
                           float(entry.options.get(CONF_TIMEOUT, DEFAULT_TIMEOUT)))
    home = await client.home()
    if not isinstance(home, Answer):
        if home.kind is FailureKind.UNAUTHORIZED:
            raise ConfigEntryAuthFailed(home.detail)
        raise ConfigEntryNotReady(home.detail)
    mirror = HomeMirror(hass, client, home.body)
    await mirror.start()
    entry.runtime_data = mirror
    entry.async_on_unload(mirror.stop)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
