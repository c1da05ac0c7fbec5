"""Small helpers for adapter tests: a spec pointing at a fake, and reading events until a marker."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from agents.realtime.models.base import ModelEvent, RealtimeModel
from agents.realtime.spec import AgentSpec, ToolSpec

WEATHER = ToolSpec(name="get_weather", description="Current weather for a city",
                   parameters={"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]})


def make_spec(provider: Any, url: str, **overrides: Any) -> AgentSpec:
    values: dict[str, Any] = {"agent_id": "agent-1", "name": "Ava", "instructions": "Be brief.",
                              "provider": provider, "api_key": "test-key", "base_url": url}
    values.update(overrides)
    return AgentSpec(**values)


async def read_until(model: RealtimeModel, stop: type | tuple[type, ...], *, count: int = 1,
                     timeout: float = 5.0) -> list[ModelEvent]:
    """Events up to and including the ``count``-th instance of ``stop``."""
    out: list[ModelEvent] = []
    seen = 0
    async with asyncio.timeout(timeout):
        async with contextlib.aclosing(model.events()) as events:  # type: ignore[type-var]
            async for event in events:
                out.append(event)
                if isinstance(event, stop):
                    seen += 1
                    if seen == count:
                        break
    return out


async def read_all(model: RealtimeModel, *, timeout: float = 5.0) -> list[ModelEvent]:
    """Every event until the stream ends."""
    out: list[ModelEvent] = []
    async with asyncio.timeout(timeout):
        async for event in model.events():
            out.append(event)
    return out


def of(events: list[ModelEvent], kind: type) -> list[Any]:
    return [e for e in events if isinstance(e, kind)]


def names(events: list[ModelEvent]) -> list[str]:
    return [type(e).__name__ for e in events]


def compact(events: list[ModelEvent]) -> list[str]:
    """Event names with runs of the same name collapsed: the shape of a turn."""
    out: list[str] = []
    for name in names(events):
        if not out or out[-1] != name:
            out.append(name)
    return out


def engine_tasks() -> list[asyncio.Task[Any]]:
    """Adapter-owned tasks still alive (the fake server's own tasks are not counted)."""
    return [t for t in asyncio.all_tasks() if t.get_name().endswith("-reader") and not t.done()]
