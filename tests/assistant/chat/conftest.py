"""Fixtures shared by the chat's tests."""

from __future__ import annotations

from typing import Iterator

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.input.base import PipeInput


@pytest.fixture
def pipe() -> Iterator[PipeInput]:
    """A prompt_toolkit input the test types into, closed afterwards."""
    pipe_input = create_pipe_input()
    try:
        yield pipe_input
    finally:
        pipe_input.close()
