"""Writes for organizations, memberships and API keys."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from tenancy.models import ApiKey, Membership, Organization, Role

_ALPHANUM = string.ascii_letters + string.digits


@dataclass(frozen=True)
class IssuedApiKey:
    """The only moment a secret is seen in plain text: right after it is created."""

    api_key: ApiKey
    secret: str


def _random(length: int) -> str:
    return "".join(secrets.choice(_ALPHANUM) for _ in range(length))


@transaction.atomic
def organization_create(*, slug: str, name: str = "") -> Organization:
    org = Organization(slug=slug, name=name or slug)
    org.full_clean()
    org.save()
    return org


@transaction.atomic
def api_key_create(
    *, organization: Organization, label: str = "", key_id: str | None = None, secret: str | None = None
) -> IssuedApiKey:
    """Create a key pair; ``key_id``/``secret`` are given only by dev provisioning."""
    plain = secret or _random(43)
    api_key = ApiKey.objects.create(
        organization=organization, key_id=key_id or f"API{_random(12)}", secret=plain, label=label
    )
    return IssuedApiKey(api_key=api_key, secret=plain)


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    # A real save (not a bulk update) so post_save fires and verifiers drop the cached secret at once.
    locked = ApiKey.objects.select_for_update().get(pk=api_key.pk)
    if locked.revoked is None:
        locked.revoked = timezone.now()
        locked.save(update_fields=["revoked"])
    return locked


def api_key_mark_used(*, api_key_id: int) -> None:
    ApiKey.objects.filter(pk=api_key_id).update(last_used=timezone.now())


@transaction.atomic
def membership_set(*, user: AbstractBaseUser, organization: Organization, role: str = Role.MEMBER) -> Membership:
    membership, _ = Membership.objects.update_or_create(  # type: ignore[misc]
        user=user, organization=organization, defaults={"role": role}
    )
    return membership


@dataclass(frozen=True)
class DevProvisioning:
    organization: Organization
    api_key: str
    api_secret: str
    admin_username: str
    admin_password: str
    created: bool


# LiveKit's dev-mode convention (`livekit-server --dev`): key "devkey", secret "secret".
DEV_API_KEY = "devkey"
DEV_API_SECRET = "secret"  # noqa: S105 - local development only, refused when DEBUG is off
DEV_ADMIN = ("admin", "admin")


@transaction.atomic
def provision_dev(*, organization_slug: str = "demo") -> DevProvisioning:
    """Idempotently create the local-development organization, key and superuser."""
    created = False
    org, org_created = Organization.objects.get_or_create(slug=organization_slug, defaults={"name": "Demo"})
    created |= org_created
    if not ApiKey.objects.filter(key_id=DEV_API_KEY).exists():
        api_key_create(organization=org, label="development", key_id=DEV_API_KEY, secret=DEV_API_SECRET)
        created = True
    user_model = get_user_model()
    username, password = DEV_ADMIN
    user = user_model.objects.filter(username=username).first()
    if user is None:
        user = user_model.objects.create_superuser(username=username, email="", password=password)
        created = True
    Membership.objects.get_or_create(user=user, organization=org, defaults={"role": Role.OWNER})
    return DevProvisioning(org, DEV_API_KEY, DEV_API_SECRET, username, password, created)
