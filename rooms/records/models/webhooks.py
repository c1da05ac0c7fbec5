"""LiveKit-format webhook deliveries, queued per room in order."""

from __future__ import annotations

from django.db import models

from rooms.models import Room
from tenancy.models import Organization

__all__ = ["DeliveryStatus", "WebhookDelivery"]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class WebhookDelivery(models.Model):
    """One event for one URL. ``body`` is the exact JSON sent and signed, never re-serialised."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="webhook_deliveries")
    seq = models.PositiveIntegerField(help_text="per-room order")
    event = models.CharField(max_length=40)
    event_id = models.CharField(max_length=40)
    url = models.URLField(max_length=1000)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=8)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    response_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    attempt_log = models.JSONField(default=list, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["room", "seq"]
        verbose_name_plural = "webhook deliveries"
        constraints = [models.UniqueConstraint(fields=["room", "seq"], name="webhook_delivery_room_seq")]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event} #{self.seq} → {self.url}"
