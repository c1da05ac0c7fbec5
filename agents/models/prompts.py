from __future__ import annotations

from django.db import models

from agents.models.base import OrganizationUnique
from tenancy.models import Organization

__all__ = ["Prompt", "PromptVersion"]


class Prompt(OrganizationUnique):
    """A named, versioned prompt template; its text lives in ``PromptVersion`` rows."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="prompts")
    name = models.CharField(max_length=200)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organization", "name"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="prompt_unique_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def active_version(self) -> PromptVersion | None:
        return self.versions.order_by("-number").first()

    @property
    def text(self) -> str:
        version = self.active_version
        return version.text if version else ""


class PromptVersion(models.Model):
    """One immutable text of a prompt; numbered 1, 2, ... per prompt."""

    prompt = models.ForeignKey(Prompt, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    text = models.TextField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["prompt", "-number"]
        constraints = [models.UniqueConstraint(fields=["prompt", "number"], name="prompt_version_unique_number")]

    def __str__(self) -> str:
        return f"{self.prompt} v{self.number}"
