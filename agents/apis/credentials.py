from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers

from agents.apis.common import ConfigDetailApi, ConfigListApi, document
from agents.models import ProviderCredential
from agents.models.credentials import CREDENTIAL_PROVIDERS
from agents.selectors import credentials_for_actor, get_credential_for_actor
from agents.services.credentials import (
    provider_credential_create,
    provider_credential_delete,
    provider_credential_update,
)
from tenancy.access import Actor


class CredentialInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    provider = serializers.ChoiceField(choices=CREDENTIAL_PROVIDERS, help_text="Fixed once created.")
    api_key = serializers.CharField(write_only=True, trim_whitespace=True, help_text="Write-only; never returned.")
    base_url = serializers.CharField(required=False, allow_blank=True, max_length=500)


class CredentialOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    provider = serializers.CharField()
    base_url = serializers.CharField()
    api_key_set = serializers.SerializerMethodField()
    created = serializers.DateTimeField()
    updated = serializers.DateTimeField()

    def get_api_key_set(self, obj: ProviderCredential) -> bool:
        return bool(obj.api_key)


@document("credentials", CredentialInputSerializer, CredentialOutputSerializer, detail=False)
class CredentialListApi(ConfigListApi[ProviderCredential]):
    InputSerializer = CredentialInputSerializer
    OutputSerializer = CredentialOutputSerializer

    def queryset_for(self, actor: Actor) -> QuerySet[ProviderCredential]:
        return credentials_for_actor(actor)

    def create_object(self, actor: Actor, data: dict[str, Any]) -> ProviderCredential:
        return provider_credential_create(organization=actor.organization, **data)


@document("credentials", CredentialInputSerializer, CredentialOutputSerializer, detail=True)
class CredentialDetailApi(ConfigDetailApi[ProviderCredential]):
    InputSerializer = CredentialInputSerializer
    OutputSerializer = CredentialOutputSerializer

    def object_for(self, actor: Actor, ref: str) -> ProviderCredential:
        return get_credential_for_actor(actor, ref)

    def update_object(self, obj: ProviderCredential, data: dict[str, Any]) -> ProviderCredential:
        if "provider" in data and data.pop("provider") != obj.provider:
            raise serializers.ValidationError({"provider": ["A credential's provider cannot change; create a new one."]})
        return provider_credential_update(credential=obj, **data)

    def delete_object(self, obj: ProviderCredential) -> None:
        provider_credential_delete(credential=obj)
