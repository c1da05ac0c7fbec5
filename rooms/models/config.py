"""Room configs: the template a room is created from (agents, floor policy, limits, webhooks)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, URLValidator
from django.db import models

from agents.models.base import OrganizationUnique
from tenancy.models import Organization, slug_validator

__all__ = ["CLIENT_SETTABLE_FIELDS", "FloorPolicy", "RoomConfig", "RoomConfigAgent"]

#: Token-endpoint body fields a signed-in member's browser may be allowed to set.
CLIENT_SETTABLE_FIELDS = ("participant_name", "participant_metadata", "participant_attributes", "room_config")
MAX_WEBHOOK_URLS = 10


class FloorPolicy(models.TextChoices):
    FREE = "free", "Free: every agent may answer"
    ROUND_ROBIN = "round_robin", "Round robin: agents take turns"
    ADDRESSED = "addressed", "Addressed: the agent named in the utterance answers"


def _default_client_settable() -> list[str]:
    return ["participant_name"]


def validate_webhook_urls(value: Any) -> None:
    if not isinstance(value, list):
        raise ValidationError("Give a list of URLs.", code="invalid")
    if len(value) > MAX_WEBHOOK_URLS:
        raise ValidationError(f"At most {MAX_WEBHOOK_URLS} webhook URLs.", code="invalid")
    check = URLValidator(schemes=["http", "https"])
    for url in value:
        if not isinstance(url, str):
            raise ValidationError(f"{url!r} is not a URL.", code="invalid")
        try:
            check(url)
        except ValidationError:
            raise ValidationError(f"{url!r} is not an http(s) URL.", code="invalid") from None


def validate_client_settable_fields(value: Any) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError("Give a list of field names.", code="invalid")
    unknown = [v for v in value if v not in CLIENT_SETTABLE_FIELDS]
    if unknown:
        raise ValidationError(
            f"Unknown field(s) {', '.join(unknown)}; choose from {', '.join(CLIENT_SETTABLE_FIELDS)}.",
            code="invalid",
        )


class RoomConfig(OrganizationUnique):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="room_configs")
    name = models.CharField(max_length=200)
    slug = models.CharField(
        max_length=63, validators=[slug_validator], help_text="Rooms whose name equals this slug use this config."
    )
    agents = models.ManyToManyField("agents.Agent", through="RoomConfigAgent", related_name="room_configs", blank=True)
    floor_policy = models.CharField(max_length=16, choices=FloorPolicy.choices, default=FloorPolicy.FREE)
    max_participants = models.PositiveIntegerField(default=0, help_text="0 means unlimited.")
    empty_timeout = models.PositiveIntegerField(
        default=300, validators=[MaxValueValidator(7 * 24 * 3600)], help_text="Seconds an empty room stays open."
    )
    departure_timeout = models.PositiveIntegerField(
        default=20,
        validators=[MaxValueValidator(24 * 3600)],
        help_text="Seconds a room waits for the last participant to come back.",
    )
    metadata = models.TextField(blank=True, help_text="Room metadata handed to agents and clients.")
    record_transcripts = models.BooleanField(default=True)
    webhook_urls = models.JSONField(default=list, blank=True, validators=[validate_webhook_urls])
    client_settable_fields = models.JSONField(
        default=_default_client_settable,
        blank=True,
        validators=[validate_client_settable_fields],
        help_text="Token-endpoint fields a signed-in member's browser may set; API-key callers may set all.",
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organization", "name"]
        constraints = [models.UniqueConstraint(fields=["organization", "slug"], name="room_config_unique_slug")]

    def __str__(self) -> str:
        return self.name


class RoomConfigAgent(models.Model):
    """An agent dispatched into rooms created from a config, in order."""

    room_config = models.ForeignKey(RoomConfig, on_delete=models.CASCADE, related_name="room_config_agents")
    agent = models.ForeignKey("agents.Agent", on_delete=models.PROTECT, related_name="room_config_agents")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["room_config", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["room_config", "agent"], name="room_config_agent_unique")]

    def __str__(self) -> str:
        return f"{self.room_config} → {self.agent}"

    def clean(self) -> None:
        # An admin inline hands over the (maybe unsaved) parent config, so compare through it.
        config = getattr(self, "room_config", None) if self.room_config_id or "room_config" in self._state.fields_cache else None
        if config is not None and self.agent_id is not None and self.agent.organization_id != config.organization_id:
            raise ValidationError({"agent": "This agent belongs to another organization."}, code="invalid")
