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


class ApiKeyBasicAuthentication(authentication.BaseAuthentication):
    www_authenticate_realm = "api"

    def authenticate(self, request: Request) -> tuple[AnonymousUser, ApiKey] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != b"basic":
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Malformed Basic authorization header.")
        try:
            key_id, _, secret = base64.b64decode(header[1], validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise exceptions.AuthenticationFailed("Malformed Basic authorization header.") from None
        api_key = ApiKey.objects.select_related("organization").filter(key_id=key_id).first()
        # Same message whatever was wrong, so keys can't be enumerated.
        if api_key is None or not api_key.is_active or not hmac.compare_digest(api_key.secret, secret):
            raise exceptions.AuthenticationFailed("Invalid API key or secret.")
        # Record use at most once a minute per key: a broker publish per request would cost more than
        # the request itself on hot paths such as the token endpoint.
        if cache.add(f"api-key-used:{api_key.pk}", 1, timeout=60):
            transaction.on_commit(lambda: api_key_mark_used.delay(api_key.pk))
        return AnonymousUser(), api_key

    def authenticate_header(self, request: Request) -> str:
        return f'Basic realm="{self.www_authenticate_realm}"'
