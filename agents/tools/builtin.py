"""The python tools shipped with the platform."""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from agents.tools.registry import ToolContext, ToolError, register


@register(
    "current_time",
    "The current date and time in an IANA time zone (default UTC).",
    {"type": "object", "properties": {"timezone": {"type": "string", "description": "e.g. Europe/Paris"}}},
)
async def current_time(args: dict[str, Any], ctx: ToolContext) -> str:
    name = str(args.get("timezone") or "UTC")
    try:
        zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ToolError(f"Unknown time zone {name!r}") from None
    return datetime.now(UTC).astimezone(zone).isoformat(timespec="seconds")


_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
           ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: operator.pow}
_UNARY: dict[type, Callable[[Any], Any]] = {ast.UAdd: operator.pos, ast.USub: operator.neg}
_FUNCS: dict[str, Callable[..., Any]] = {"sqrt": math.sqrt, "abs": abs, "round": round, "min": min, "max": max}
_MAX_EXPRESSION = 200
_MAX_POWER = 1000


def evaluate(expression: str) -> float | int:
    """Arithmetic only: numbers, + - * / // % **, parentheses and a few functions. No names, no calls
    beyond the allow-list, bounded exponents, so a model can't run code or burn the CPU."""
    if len(expression) > _MAX_EXPRESSION:
        raise ToolError("Expression too long")
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError:
        raise ToolError(f"Not an arithmetic expression: {expression!r}") from None

    def walk(node: ast.AST) -> Any:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
            return node.value
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            left, right = walk(node.left), walk(node.right)
            if isinstance(node.op, ast.Pow) and abs(right) > _MAX_POWER:
                raise ToolError("Exponent too large")
            return _BINARY[type(node.op)](left, right)
        if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
            return _UNARY[type(node.op)](walk(node.operand))
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCS
                and not node.keywords):
            return _FUNCS[node.func.id](*(walk(a) for a in node.args))
        raise ToolError(f"Unsupported element in expression: {type(node).__name__}")

    try:
        return walk(tree)
    except ZeroDivisionError:
        raise ToolError("Division by zero") from None
    except (OverflowError, ValueError, TypeError) as exc:
        raise ToolError(f"Cannot evaluate: {exc}") from None


@register(
    "calculator",
    "Evaluate an arithmetic expression, e.g. '(2 + 3) * 4' or 'sqrt(2)'.",
    {"type": "object", "properties": {"expression": {"type": "string"}}, "required": ["expression"]},
)
async def calculator(args: dict[str, Any], ctx: ToolContext) -> str:
    return str(evaluate(str(args.get("expression", ""))))


@register(
    "end_session",
    "End the conversation when the user is done.",
    {"type": "object", "properties": {"reason": {"type": "string"}}},
)
async def end_session(args: dict[str, Any], ctx: ToolContext) -> str:
    reason = str(args.get("reason") or "agent ended the session")
    await ctx.end_session(reason)
    return "Session ending."


@register(
    "transfer_to_agent",
    "Hand the conversation over to another agent of this organization, by its slug.",
    {"type": "object", "properties": {"agent": {"type": "string"}, "reason": {"type": "string"}},
     "required": ["agent"]},
)
async def transfer_to_agent(args: dict[str, Any], ctx: ToolContext) -> str:
    target = str(args.get("agent") or "")
    if not target:
        raise ToolError("Name the agent to transfer to")
    await ctx.transfer_to_agent(target, str(args.get("reason") or ""))
    return f"Transferred to {target}."
