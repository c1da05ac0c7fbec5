from __future__ import annotations

from django.db import transaction

from agents.models import ProviderCredential
from agents.services.common import model_delete, model_save
from tenancy.models import Organization


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
    if name is not None:
        credential.name = name
    if api_key:
        credential.api_key = api_key
    if base_url is not None:
        credential.base_url = base_url
    model_save(credential)
    return credential


@transaction.atomic
def provider_credential_delete(*, credential: ProviderCredential) -> None:
    model_delete(credential)
