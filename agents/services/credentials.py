from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from agents.models import ProviderCredential
from agents.services.common import model_delete, model_save
from tenancy.models import Organization

#: A stored secret would go to a destination that changed in the same update: the caller must type the
#: secret again (the REST API answers it as the error's code; tools use it too).
SECRET_REQUIRED = "secret_required"  # noqa: S105 - an error code, not a secret


@transaction.atomic
def provider_credential_create(
    *, organization: Organization, name: str, provider: str, api_key: str, base_url: str = ""
) -> ProviderCredential:
    credential = ProviderCredential(
        organization=organization, name=name, provider=provider, api_key=api_key, base_url=base_url
    )
    model_save(credential)
    return credential


@transaction.atomic
def provider_credential_update(
    *,
    credential: ProviderCredential,
    name: str | None = None,
    api_key: str | None = None,
    base_url: str | None = None,
) -> ProviderCredential:
    """``None`` keeps a value; the provider is fixed because agents were validated against it."""
    provider_credential_key_check(credential=credential, base_url=base_url, api_key=api_key)
    if name is not None:
        credential.name = name
    if api_key:
        credential.api_key = api_key
    if base_url is not None:
        credential.base_url = base_url
    model_save(credential)
    return credential


def provider_credential_key_check(*, credential: ProviderCredential, base_url: str | None, api_key: str | None) -> None:
    """Refuse a new ``base_url`` that would keep the stored key.

    The key is write-only, but the server sends it to ``base_url`` with every session: pointing a
    credential at another host while keeping its key would hand the key to whoever runs that host,
    so someone who may edit the credential but does not know its key must not be able to do so.
    """
    if base_url is None or base_url == credential.base_url or api_key or not credential.api_key:
        return
    raise ValidationError({"api_key": ValidationError(
        "Changing base_url sends the key to another server: enter the API key again in the same change.",
        code=SECRET_REQUIRED)})


@transaction.atomic
def provider_credential_delete(*, credential: ProviderCredential) -> None:
    model_delete(credential)
