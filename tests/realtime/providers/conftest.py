"""The provider connection's own frame reading runs under both servers' event loops: daphne's asyncio
and uvicorn's uvloop, whose transports differ in how they deliver reads and pause them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping

import pytest
import uvloop

LOOPS: Mapping[str, Callable[[], asyncio.AbstractEventLoop]] = {
    "asyncio": asyncio.new_event_loop,
    "uvloop": uvloop.new_event_loop,
}


def pytest_asyncio_loop_factories(config: pytest.Config,
                                   item: pytest.Item) -> Mapping[str, Callable[[], asyncio.AbstractEventLoop]]:
    return LOOPS if item.path.name == "test_provider_connection.py" else {"asyncio": asyncio.new_event_loop}
