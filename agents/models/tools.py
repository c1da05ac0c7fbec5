from __future__ import annotations

import json
import re
from typing import Any

import jsonschema
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator, URLValidator
from django.db import models

from agents.models.base import OrganizationUnique
from tenancy.crypto import EncryptedTextField
from tenancy.models import Organization

__all__ = ["HTTP_METHODS", "Tool", "ToolKind", "validate_headers"]

# The function name a model sees; OpenAI, DashScope and Gemini all accept this alphabet and length.
tool_name_validator = RegexValidator(
    r"^[a-zA-Z0-9_-]{1,64}$", "Use 1-64 letters, digits, underscores or dashes (the name the model calls)."
)
_HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
MAX_HTTP_TIMEOUT_S = 60.0


class ToolKind(models.TextChoices):
    PYTHON = "python", "Python function from the registry"
    HTTP = "http", "HTTP request"
    CLIENT = "client", "Executed by the connected client"


def validate_headers(headers: Any, field: str) -> None:
    if not isinstance(headers, dict):
        raise ValidationError({field: "Give the headers as an object of name to value."}, code="invalid")
    for name, value in headers.items():
        if not isinstance(name, str) or not _HEADER_NAME.match(name):
            raise ValidationError({field: f"{name!r} is not a valid header name."}, code="invalid")
        if not isinstance(value, str) or "\r" in value or "\n" in value:
            raise ValidationError({field: f"The value of {name} must be a single-line string."}, code="invalid")


def validate_parameters_schema(schema: Any) -> None:
    if not isinstance(schema, dict):
        raise ValidationError("Give a JSON Schema object.", code="invalid_schema")
    try:
        jsonschema.validators.validator_for(schema).check_schema(schema)
    except jsonschema.SchemaError as exc:
        raise ValidationError(f"Not a valid JSON Schema: {exc.message}", code="invalid_schema") from None
    if schema.get("type") != "object":
        raise ValidationError('The arguments schema must have "type": "object".', code="invalid_schema")


def _empty_object_schema() -> dict[str, Any]:
    return {"type": "object", "properties": {}}


class Tool(OrganizationUnique):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="tools")
    name = models.CharField(max_length=64, validators=[tool_name_validator])
    description = models.TextField(blank=True)
    parameters = models.JSONField(
        default=_empty_object_schema, validators=[validate_parameters_schema], help_text="JSON Schema of the arguments."
    )
    kind = models.CharField(max_length=8, choices=ToolKind.choices, default=ToolKind.PYTHON)
    # kind = python
    python_function = models.CharField(max_length=100, blank=True, help_text="A function name from the registry.")
    # kind = http
    url = models.CharField(max_length=2000, blank=True, validators=[URLValidator(schemes=["http", "https"])])
    method = models.CharField(max_length=8, choices=[(m, m) for m in HTTP_METHODS], default="POST")
    headers = models.JSONField(default=dict, blank=True, help_text="Plain headers, shown to admins.")
    # JSON object text; encrypted because it carries bearer tokens and the like.
    secret_headers = EncryptedTextField(blank=True, default="")
    timeout_s = models.FloatField(
        default=10.0, validators=[MinValueValidator(0.1), MaxValueValidator(MAX_HTTP_TIMEOUT_S)]
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organization", "name"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="tool_unique_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def secret_header_values(self) -> dict[str, str]:
        return dict(json.loads(self.secret_headers)) if self.secret_headers else {}

    def set_secret_headers(self, values: dict[str, str]) -> None:
        self.secret_headers = json.dumps(values) if values else ""

    def clean(self) -> None:
        from agents.tools.registry import python_tool_names

        errors: dict[str, str] = {}
        if self.kind == ToolKind.PYTHON:
            names = python_tool_names()
            if self.python_function not in names:
                errors["python_function"] = f"Choose one of the registered functions: {', '.join(names)}."
        elif self.kind == ToolKind.HTTP:
            if not self.url:
                errors["url"] = "An HTTP tool needs a URL."
            try:
                validate_headers(self.headers, "headers")
                validate_headers(self.secret_header_values, "secret_headers")
            except ValidationError as exc:
                errors.update({k: v[0] for k, v in exc.message_dict.items()})
        if errors:
            raise ValidationError(errors, code="invalid")
