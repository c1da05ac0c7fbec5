"""Shutdown hooks configured on agents and room configs, and the record of each run."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from rooms.models import Session
from rooms.records.models.webhooks import DeliveryStatus
from tenancy.models import Organization

__all__ = ["HookDelivery", "HookKind", "ShutdownHook"]


class HookKind(models.TextChoices):
    WEBHOOK = "webhook", "Webhook (POST the signed end-of-session report)"
    PYTHON = "python", "Python function from the hook registry"


class ShutdownHook(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="shutdown_hooks")
    # Exactly one owner: an agent's hooks run for every session it takes part in; a room config's
    # for every session in its rooms.
    agent = models.ForeignKey("agents.Agent", on_delete=models.CASCADE, null=True, blank=True,
                              related_name="shutdown_hooks")
    room_config = models.ForeignKey("rooms.RoomConfig", on_delete=models.CASCADE, null=True, blank=True,
                                    related_name="shutdown_hooks")
    name = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=8, choices=HookKind.choices)
    url = models.URLField(max_length=1000, blank=True)
    python_name = models.CharField(max_length=100, blank=True, help_text="a name from rooms.records.hooks")
    order = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=3)
    time_limit_seconds = models.FloatField(default=30.0, help_text="per attempt")
    enabled = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(agent__isnull=False, room_config__isnull=True)
                | Q(agent__isnull=True, room_config__isnull=False),
                name="shutdown_hook_one_owner",
                violation_error_message="Attach the hook to an agent or to a room config (exactly one).",
            ),
        ]

    def __str__(self) -> str:
        return self.name or f"{self.kind}: {self.url or self.python_name}"

    def clean(self) -> None:
        from rooms.records.hooks import registry

        for owner in (self.agent, self.room_config):
            if owner is not None and owner.organization_id != self.organization_id:
                raise ValidationError("The hook's agent or room config must belong to its organization.")

        if self.kind == HookKind.WEBHOOK and not self.url:
            raise ValidationError({"url": "A webhook hook needs a URL."})
        if self.kind == HookKind.PYTHON and self.python_name not in registry.names():
            raise ValidationError({"python_name": f"Choose one of: {', '.join(registry.names())}."})


class HookDelivery(models.Model):
    """One hook for one ended session: a small state machine driven by Celery."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="hook_deliveries")
    hook = models.ForeignKey(ShutdownHook, on_delete=models.SET_NULL, null=True, blank=True, related_name="deliveries")
    position = models.PositiveIntegerField(default=0, help_text="run order within the session")
    kind = models.CharField(max_length=8, choices=HookKind.choices)
    target = models.CharField(max_length=1000, help_text="URL or registry name")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=3)
    time_limit_seconds = models.FloatField(default=30.0)
    deadline = models.DateTimeField(help_text="no attempt starts after this (total time limit)")
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    response_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    result = models.JSONField(null=True, blank=True)
    attempt_log = models.JSONField(default=list, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    started = models.DateTimeField(null=True, blank=True, help_text="start of the latest attempt")
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["session", "position", "id"]
        verbose_name_plural = "hook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["session", "hook"], name="hook_delivery_once_per_session"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.target} for {self.session_id}"
