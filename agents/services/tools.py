from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from agents.models import Tool
from agents.services.common import assign, model_delete, model_save
from agents.services.credentials import SECRET_REQUIRED
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
    tool_secret_headers_check(tool=tool, url=fields.get("url"), secret_headers=secret_headers)
    assign(tool, fields, TOOL_FIELDS)
    if secret_headers is not None:
        tool.set_secret_headers(secret_headers)
    model_save(tool)
    return tool


def tool_secret_headers_check(*, tool: Tool, url: str | None, secret_headers: dict[str, str] | None) -> None:
    """Refuse a new ``url`` that would keep the stored secret headers.

    They are write-only, but every call of the tool sends them to its URL: pointing the tool at another
    host while keeping them would hand them to whoever runs that host, so someone who may edit the tool
    but does not know its secrets must not be able to do so. Whatever the kind: a tool made ``python``
    with a new URL keeps both when it is made ``http`` again.
    """
    if url is None or url == tool.url or secret_headers is not None or not tool.secret_headers:
        return
    raise ValidationError({"secret_headers": ValidationError(
        "Changing the URL sends the secret headers to another server: enter them again in the same change "
        "({} removes them).",
        code=SECRET_REQUIRED)})


@transaction.atomic
def tool_delete(*, tool: Tool) -> None:
    model_delete(tool)
