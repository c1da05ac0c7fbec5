"""HTTP Basic with an organization's ``api_key:api_secret``, as server SDKs send it."""

from __future__ import annotations

import base64
import binascii
import hmac

from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import transaction
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from tenancy.models import ApiKey
from tenancy.tasks import api_key_mark_used


def api_key_record_use(pk: int) -> None:
    """Record use at most once a minute per key: a broker publish per request would cost more than
    the request itself on hot paths such as the token endpoint."""
    if cache.add(f"api-key-used:{pk}", 1, timeout=60):
        transaction.on_commit(lambda: api_key_mark_used.delay(pk))


def basic_credentials(header: bytes) -> tuple[str, str] | None:
    """``(key_id, secret)`` from an ``Authorization`` header value; ``None`` if it is not Basic.

    Raises ``AuthenticationFailed`` for a Basic header that does not decode."""
    parts = header.split()
    if not parts or parts[0].lower() != b"basic":
        return None
    if len(parts) != 2:
        raise exceptions.AuthenticationFailed("Malformed Basic authorization header.")
    try:
        key_id, _, secret = base64.b64decode(parts[1], validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise exceptions.AuthenticationFailed("Malformed Basic authorization header.") from None
    return key_id, secret


def secret_matches(stored: str, given: str) -> bool:
    return hmac.compare_digest(stored.encode(), given.encode())


class ApiKeyBasicAuthentication(authentication.BaseAuthentication):
    www_authenticate_realm = "api"

    def authenticate(self, request: Request) -> tuple[AnonymousUser, ApiKey] | None:
        credentials = basic_credentials(authentication.get_authorization_header(request))
        if credentials is None:
            return None
        key_id, secret = credentials
        api_key = ApiKey.objects.select_related("organization").filter(key_id=key_id).first()
        # Same message whatever was wrong, so keys can't be enumerated.
        if api_key is None or not api_key.is_active or not secret_matches(api_key.secret, secret):
            raise exceptions.AuthenticationFailed("Invalid API key or secret.")
        api_key_record_use(api_key.pk)
        return AnonymousUser(), api_key

    def authenticate_header(self, request: Request) -> str:
        return f'Basic realm="{self.www_authenticate_realm}"'
