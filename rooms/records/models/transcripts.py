"""Transcript entries, written by Celery from the realtime processes' batches."""

from __future__ import annotations

from django.db import models

from rooms.models import Room, Session
from tenancy.models import Organization

__all__ = ["TranscriptEntry", "TranscriptRole"]


class TranscriptRole(models.TextChoices):
    USER = "user", "User"
    AGENT = "agent", "Agent"
    TOOL = "tool", "Tool"
    SYSTEM = "system", "System"


class TranscriptEntry(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="transcript_entries")
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="+")
    item_id = models.CharField(max_length=128)
    seq = models.PositiveIntegerField(default=0, help_text="order of this part within the item")
    # Order in which the realtime side produced the entry; item ids are not ordered.
    position = models.PositiveIntegerField(default=0)
    role = models.CharField(max_length=8, choices=TranscriptRole.choices)
    speaker = models.CharField(max_length=256, blank=True)
    agent = models.CharField(max_length=100, blank=True)
    text = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    tool = models.JSONField(null=True, blank=True, help_text="call_id, name, arguments, output, is_error")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session", "position", "seq", "id"]
        verbose_name_plural = "transcript entries"
        constraints = [
            # A redelivered batch inserts nothing: this key makes transcript writes idempotent.
            models.UniqueConstraint(fields=["session", "item_id", "seq"], name="transcript_entry_once"),
        ]
        indexes = [models.Index(fields=["session", "position"])]

    def __str__(self) -> str:
        return f"{self.role} {self.speaker}: {self.text[:60]}"
