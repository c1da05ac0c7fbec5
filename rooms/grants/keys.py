"""Signing keys: an organization's API keys as the verifier and the token services need them.

Decrypting a secret costs a query and a Fernet decryption, so verified lookups are kept in a
process-local cache for a few seconds (``TOKEN_KEY_CACHE_SECONDS``, default 5). Secrets never go
to a shared cache. A revocation therefore takes effect in every process within that window, and
at once in a process that saves the key through the ORM (the signal handlers below).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from channels.db import database_sync_to_async
from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from tenancy.models import ApiKey, Organization

DEFAULT_CACHE_SECONDS = 5.0


@dataclass(frozen=True)
class SigningKey:
    pk: int
    key_id: str
    organization_id: int
    secret: str
    revoked: bool

    @property
    def is_active(self) -> bool:
        return not self.revoked


_cache: dict[str, tuple[float, SigningKey | None]] = {}


def _cache_seconds() -> float:
    return float(getattr(settings, "TOKEN_KEY_CACHE_SECONDS", DEFAULT_CACHE_SECONDS))


def _cached(key_id: str, now: float) -> tuple[float, SigningKey | None] | None:
    hit = _cache.get(key_id)
    return hit if hit is not None and hit[0] > now else None


def signing_key_get(key_id: str) -> SigningKey | None:
    """The key named ``key_id`` (revoked or not), or ``None`` if no organization has it."""
    now = time.monotonic()
    hit = _cached(key_id, now)
    if hit is not None:
        return hit[1]
    row = ApiKey.objects.filter(key_id=key_id).values_list("pk", "organization_id", "secret", "revoked").first()
    key = None
    if row is not None:
        pk, organization_id, secret, revoked = row
        key = SigningKey(pk=pk, key_id=key_id, organization_id=organization_id, secret=secret,
                         revoked=revoked is not None)
    ttl = _cache_seconds()
    if ttl > 0:
        if len(_cache) > 10_000:
            _cache.clear()
        _cache[key_id] = (now + ttl, key)
    return key


def signing_key_cached(key_id: str) -> tuple[bool, SigningKey | None]:
    """``(True, key)`` when the cache answers for ``key_id`` (``key`` may be ``None``: no such key),
    ``(False, None)`` when only the database can."""
    hit = _cached(key_id, time.monotonic())
    return (True, hit[1]) if hit is not None else (False, None)


async def signing_key_aget(key_id: str) -> SigningKey | None:
    """``signing_key_get`` for async callers: a cache hit never leaves the event loop."""
    known, key = signing_key_cached(key_id)
    return key if known else await database_sync_to_async(signing_key_get)(key_id)


def signing_key_forget(key_id: str) -> None:
    _cache.pop(key_id, None)


@receiver([post_save, post_delete], sender=ApiKey, dispatch_uid="rooms.grants.keys.forget")
def _forget_changed_key(sender: type[ApiKey], instance: ApiKey, **kwargs: object) -> None:
    signing_key_forget(instance.key_id)


def signing_api_key_for_organization(organization: Organization) -> ApiKey | None:
    """The organization's oldest active API key: the one that signs grants for its members."""
    return (
        ApiKey.objects.filter(organization=organization, revoked__isnull=True)
        .select_related("organization")
        .order_by("created", "pk")
        .first()
    )
