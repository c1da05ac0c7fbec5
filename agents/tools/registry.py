"""The registry of python tools an agent may be given.

A tool is an async function ``(args, ctx) -> str``. ``ctx`` lets a tool act on its session (end it,
hand over to another agent) without the tool knowing anything about sockets or Django.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol


class ToolContext(Protocol):
    async def end_session(self, reason: str) -> None: ...

    async def transfer_to_agent(self, agent: str, reason: str) -> None: ...


class ToolError(Exception):
    """A tool failed in a way the model should hear about (the message becomes its output)."""


ToolFunction = Callable[[dict[str, Any], ToolContext], Awaitable[str]]


@dataclass(frozen=True)
class PythonTool:
    name: str
    description: str
    parameters: dict[str, Any]
    function: ToolFunction = field(repr=False)


PYTHON_TOOLS: dict[str, PythonTool] = {}


def register(name: str, description: str, parameters: dict[str, Any]) -> Callable[[ToolFunction], ToolFunction]:
    def wrap(function: ToolFunction) -> ToolFunction:
        PYTHON_TOOLS[name] = PythonTool(name, description, parameters, function)
        return function

    return wrap


def get_python_tool(name: str) -> PythonTool:
    _load_builtins()
    try:
        return PYTHON_TOOLS[name]
    except KeyError:
        raise ToolError(f"No python tool named {name!r}") from None


def python_tool_names() -> list[str]:
    _load_builtins()
    return sorted(PYTHON_TOOLS)


def _load_builtins() -> None:
    from agents.tools import builtin  # noqa: F401  (registers on import)
