from __future__ import annotations

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models

from agents.models.base import OrganizationUnique
from tenancy.crypto import EncryptedTextField
from tenancy.models import Organization

__all__ = ["PROVIDER_DEFAULTS", "Provider", "ProviderCredential", "provider_default_url"]


class Provider(models.TextChoices):
    LOCAL = "local", "Local (no provider, for development and tests)"
    OPENAI = "openai", "OpenAI Realtime"
    DASHSCOPE = "dashscope", "DashScope Qwen-Omni realtime"
    GEMINI = "gemini", "Gemini Live"


#: Model and voice an agent gets when none is chosen.
PROVIDER_DEFAULTS: dict[str, tuple[str, str]] = {
    Provider.LOCAL: ("local", "local"),
    Provider.OPENAI: ("gpt-realtime", "alloy"),
    Provider.DASHSCOPE: ("qwen3-omni-flash-realtime", "Cherry"),
    Provider.GEMINI: ("gemini-2.5-flash-native-audio-preview-09-2025", "Puck"),
}

CREDENTIAL_PROVIDERS = [c for c in Provider.choices if c[0] != Provider.LOCAL]


def provider_default_url(provider: str) -> str | None:
    return {
        Provider.OPENAI: settings.OPENAI_REALTIME_URL,
        Provider.DASHSCOPE: settings.DASHSCOPE_REALTIME_URL,
        Provider.GEMINI: settings.GEMINI_LIVE_URL,
    }.get(provider)  # type: ignore[call-overload]


class ProviderCredential(OrganizationUnique):
    """An organization's key for one realtime provider; the key is encrypted and never shown again."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="provider_credentials")
    name = models.CharField(max_length=200)
    provider = models.CharField(max_length=16, choices=CREDENTIAL_PROVIDERS)
    api_key = EncryptedTextField()
    base_url = models.CharField(
        max_length=500,
        blank=True,
        validators=[URLValidator(schemes=["ws", "wss", "http", "https"])],
        help_text="Optional endpoint override (a proxy or a compatible server); empty uses the platform default.",
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organization", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="provider_credential_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.provider})"
