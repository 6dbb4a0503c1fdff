"""The config flow against the real service: it checks the URL and the token and says which is wrong."""

from __future__ import annotations

import pytest
from homeassistant import config_entries
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.setup import async_setup_component

from custom_components.smarthome_assistant.const import CONF_TOKEN, CONF_URL, DOMAIN

from .home import add_entry
from .service import Service, free_port

pytestmark = pytest.mark.usefixtures("socket_enabled")


@pytest.fixture(autouse=True)
async def core(hass: HomeAssistant) -> None:
    """The core integration a real Home Assistant always has (exposure settings live there)."""
    assert await async_setup_component(hass, "homeassistant", {})


async def _submit(hass: HomeAssistant, url: str, token: str) -> dict:
    flow = await hass.config_entries.flow.async_init(DOMAIN, context={"source": config_entries.SOURCE_USER})
    assert flow["type"] is FlowResultType.FORM and flow["step_id"] == "user"
    return await hass.config_entries.flow.async_configure(flow["flow_id"], {CONF_URL: url, CONF_TOKEN: token})


async def test_a_good_url_and_token_make_an_entry_named_after_the_household(
        hass: HomeAssistant, assistant_service: Service) -> None:
    result = await _submit(hass, assistant_service.url + "/", assistant_service.tokens["south"])
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    assert result["title"] == f"south ({assistant_service.url})"
    assert result["data"] == {CONF_URL: assistant_service.url, CONF_TOKEN: assistant_service.tokens["south"]}
    again = await _submit(hass, assistant_service.url, assistant_service.tokens["south"])
    assert again["type"] is FlowResultType.ABORT and again["reason"] == "already_configured"


async def test_a_wrong_token_is_reported_as_such(hass: HomeAssistant, assistant_service: Service) -> None:
    result = await _submit(hass, assistant_service.url, "not-a-token")
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}


async def test_a_wrong_url_is_reported_as_such(hass: HomeAssistant, assistant_service: Service) -> None:
    nobody = await _submit(hass, f"http://127.0.0.1:{free_port()}", assistant_service.tokens["north"])
    assert nobody["errors"] == {"base": "cannot_connect"}
    not_a_url = await _submit(hass, "ftp://example", assistant_service.tokens["north"])
    assert not_a_url["errors"] == {CONF_URL: "invalid_url"}


async def test_a_token_refused_at_set_up_asks_for_a_new_one(hass: HomeAssistant, assistant_service: Service) -> None:
    token_id, token = assistant_service.new_token("south")
    assistant_service.cli("tokens", "revoke", str(token_id))
    entry = await add_entry(hass, assistant_service.url, token, unique_id=f"{assistant_service.url}#south")
    assert entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [f["context"]["source"] for f in flows] == ["reauth"]

    wrong = await hass.config_entries.flow.async_configure(flows[0]["flow_id"], {CONF_TOKEN: "still-wrong"})
    assert wrong["errors"] == {"base": "invalid_auth"}
    other = await hass.config_entries.flow.async_configure(flows[0]["flow_id"],
                                                          {CONF_TOKEN: assistant_service.tokens["north"]})
    assert other["errors"] == {"base": "other_household"}
    done = await hass.config_entries.flow.async_configure(flows[0]["flow_id"],
                                                         {CONF_TOKEN: assistant_service.tokens["south"]})
    assert done["type"] is FlowResultType.ABORT and done["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert entry.data[CONF_TOKEN] == assistant_service.tokens["south"]
    assert entry.state is ConfigEntryState.LOADED
