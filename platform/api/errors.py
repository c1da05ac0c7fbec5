"""Every API error is JSON: ``{"error": {"code": "...", "message": "...", "fields": {...}}}``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from tenancy.access import ReadOnlyAccess


class ApiError(exceptions.APIException):
    """Raise from services or views with a machine-readable code."""

    def __init__(self, code: str, message: str, status_code: int = 400, fields: dict[str, Any] | None = None):
        super().__init__(detail=message, code=code)
        self.status_code = status_code
        self.code = code
        self.fields = fields or {}


_CODES = {
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.ParseError: "parse_error",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "rate_limited",
    exceptions.ValidationError: "invalid",
}


def _flatten(detail: Any) -> str:
    if isinstance(detail, list):
        return " ".join(_flatten(d) for d in detail)
    if isinstance(detail, dict):
        return " ".join(f"{k}: {_flatten(v)}" for k, v in detail.items())
    return str(detail)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ReadOnlyAccess):
        exc = exceptions.PermissionDenied(str(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found.")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or "Permission denied.")
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    error: dict[str, Any]
    if isinstance(exc, ApiError):
        error = {"code": exc.code, "message": str(exc.detail)}
        if exc.fields:
            error["fields"] = exc.fields
    elif isinstance(exc, exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        error = {"code": "invalid", "message": _flatten(exc.detail), "fields": fields}
    else:
        code = next((c for t, c in _CODES.items() if isinstance(exc, t)), "error")
        error = {"code": code, "message": _flatten(getattr(exc, "detail", str(exc)))}
    if response.status_code == status.HTTP_429_TOO_MANY_REQUESTS:
        error["code"] = "rate_limited"
    response.data = {"error": error}
    return response
