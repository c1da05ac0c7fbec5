"""Running one tool call of an agent: python (registry), http (httpx) or client (round trip).

Whatever happens, the model gets a string back: the tool's output, or ``{"error": "..."}`` as JSON
when the arguments are bad, the tool is unknown, it fails or it times out. An HTTP tool's body is cut
at ``HTTP_TOOL_MAX_CHARS`` so a large page cannot flood the model's context.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import jsonschema

from agents.realtime.spec import AgentSpec, ToolSpec
from agents.tools.registry import ToolContext, ToolError, get_python_tool

logger = logging.getLogger(__name__)

HTTP_TOOL_MAX_CHARS = 4_000
_BODY_METHODS = {"POST", "PUT", "PATCH"}


@dataclass(frozen=True)
class ToolOutcome:
    output: str
    ok: bool = True
    arguments: dict[str, Any] | None = None


def error_outcome(message: str, arguments: dict[str, Any] | None = None) -> ToolOutcome:
    return ToolOutcome(json.dumps({"error": message}), ok=False, arguments=arguments)


def parse_arguments(raw: str) -> dict[str, Any] | None:
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def find_tool(spec: AgentSpec, name: str) -> ToolSpec | None:
    return next((t for t in spec.tools if t.name == name), None)


async def tool_execute(*, spec: AgentSpec, name: str, call_id: str, arguments: str, ctx: ToolContext,
                       wait_client: Callable[[str], Awaitable[str]]) -> ToolOutcome:
    """Validate and run one call. ``wait_client(call_id)`` resolves with a client's tool result."""
    tool = find_tool(spec, name)
    if tool is None:
        return error_outcome(f"no tool named {name!r} is configured")
    args = parse_arguments(arguments)
    if args is None:
        return error_outcome("the arguments are not a JSON object")
    try:
        jsonschema.validate(args, tool.parameters)
    except jsonschema.ValidationError as exc:
        return error_outcome(f"invalid arguments: {exc.message}", args)
    except jsonschema.SchemaError:
        logger.warning("tool %s has an invalid parameter schema; skipping validation", name)
    try:
        if tool.kind == "client":
            output = await asyncio.wait_for(wait_client(call_id), spec.client_tool_timeout_s)
        elif tool.kind == "http":
            output = await asyncio.wait_for(_http(tool, args), spec.tool_timeout_s)
        else:
            function = get_python_tool(tool.python_function or tool.name).function
            output = await asyncio.wait_for(function(args, ctx), spec.tool_timeout_s)
    except TimeoutError:
        limit = spec.client_tool_timeout_s if tool.kind == "client" else spec.tool_timeout_s
        who = "the client did not answer" if tool.kind == "client" else "the tool did not finish"
        return error_outcome(f"{who} within {limit:g} s", args)
    except ToolError as exc:
        return error_outcome(str(exc), args)
    except httpx.HTTPError as exc:
        return error_outcome(f"HTTP request failed: {type(exc).__name__}", args)
    except Exception:  # a broken tool must not take the conversation down with it
        logger.exception("tool %s failed", name)
        return error_outcome("the tool failed", args)
    return ToolOutcome(output, arguments=args)


async def _http(tool: ToolSpec, args: dict[str, Any]) -> str:
    if tool.http is None:
        raise ToolError("this HTTP tool has no URL configured")
    config = tool.http
    method = config.method.upper()
    async with httpx.AsyncClient(timeout=config.timeout_s, follow_redirects=False) as client:
        if method in _BODY_METHODS:
            response = await client.request(method, config.url, headers=config.headers, json=args)
        else:
            params = {k: v if isinstance(v, str) else json.dumps(v) for k, v in args.items()}
            response = await client.request(method, config.url, headers=config.headers, params=params)
    body = response.text
    if len(body) > HTTP_TOOL_MAX_CHARS:
        body = body[:HTTP_TOOL_MAX_CHARS] + f"... [truncated at {HTTP_TOOL_MAX_CHARS} characters]"
    if response.status_code >= 400:
        raise ToolError(f"HTTP {response.status_code}: {body}")
    return body
