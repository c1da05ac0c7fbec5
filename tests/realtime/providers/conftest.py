"""The provider connection's own frame reading, and the transport that holds writes to the end of a
tick, run under both servers' event loops: daphne's asyncio and uvicorn's uvloop, whose transports
differ in how they deliver reads, pause them and treat writes to a closed connection."""

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
    both = item.path.name in ("test_provider_connection.py", "test_tick_transport.py")
    return LOOPS if both else {"asyncio": asyncio.new_event_loop}
