"""Fixtures of the Home Assistant tests: the harness's real Home Assistant core (`hass`),
our integration enabled, and one real `assistant serve` for the session."""

from __future__ import annotations

from typing import Iterator

import pytest

from . import service as served

pytest_plugins = ["pytest_homeassistant_custom_component"]


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let the harness load custom_components/smarthome_assistant."""


@pytest.fixture(scope="session")
def assistant_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[served.Service]:
    import pytest_socket

    pytest_socket.enable_socket()   # the harness blocks sockets in each test's set-up; starting needs them
    try:
        service = served.start(tmp_path_factory.mktemp("serve"))
    finally:
        pytest_socket.disable_socket(allow_unix_socket=True)
    try:
        yield service
    finally:
        service.stop()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that kill the session's service run last."""
    items.sort(key=lambda item: item.get_closest_marker("kills_service") is not None)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "kills_service: kills the session's assistant serve (runs last)")
