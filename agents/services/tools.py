from __future__ import annotations

from typing import Any

from django.db import transaction

from agents.models import Tool
from agents.services.common import assign, model_delete, model_save
from tenancy.models import Organization

TOOL_FIELDS = frozenset(
    {"name", "description", "parameters", "kind", "python_function", "url", "method", "headers", "timeout_s"}
)


@transaction.atomic
def tool_create(
    *, organization: Organization, secret_headers: dict[str, str] | None = None, **fields: Any
) -> Tool:
    tool = Tool(organization=organization)
    assign(tool, fields, TOOL_FIELDS)
    tool.set_secret_headers(secret_headers or {})
    model_save(tool)
    return tool


@transaction.atomic
def tool_update(*, tool: Tool, secret_headers: dict[str, str] | None = None, **fields: Any) -> Tool:
    """``secret_headers=None`` keeps the stored secrets (they are write-only); ``{}`` removes them."""
    assign(tool, fields, TOOL_FIELDS)
    if secret_headers is not None:
        tool.set_secret_headers(secret_headers)
    model_save(tool)
    return tool


@transaction.atomic
def tool_delete(*, tool: Tool) -> None:
    model_delete(tool)
