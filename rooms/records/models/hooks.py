"""Shutdown hooks configured on agents and room configs, and the record of each run."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from rooms.models import Session
from rooms.records.models.webhooks import DeliveryStatus
from tenancy.models import Organization

__all__ = ["HookDelivery", "HookKind", "ShutdownHook"]


class HookKind(models.TextChoices):
    WEBHOOK = "webhook", "Webhook (POST the signed end-of-session report)"
    PYTHON = "python", "Python function from the hook registry"


class ShutdownHook(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="shutdown_hooks")
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

    def __str__(self) -> str:
        return self.name or f"{self.kind}: {self.url or self.python_name}"

    def clean(self) -> None:
        from rooms.records.hooks import registry

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
