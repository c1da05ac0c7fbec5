from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from agents.models.base import OrganizationUnique
from agents.models.credentials import PROVIDER_DEFAULTS, Provider, ProviderCredential
from agents.models.prompts import Prompt, PromptVersion
from agents.models.tools import Tool
from tenancy.models import Organization, slug_validator

__all__ = ["Agent", "AgentTool", "TurnDetectionMode"]


DEFAULT_CONSTRAINT = "agent_one_default_per_organization"


class TurnDetectionMode(models.TextChoices):
    SERVER_VAD = "server_vad", "Server voice activity detection"
    MANUAL = "manual", "Manual (the client commits each turn)"


class Agent(OrganizationUnique):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="agents")
    name = models.CharField(max_length=200)
    slug = models.CharField(max_length=63, validators=[slug_validator])
    prompt = models.ForeignKey(Prompt, on_delete=models.PROTECT, null=True, blank=True, related_name="agents")
    prompt_version = models.ForeignKey(
        PromptVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Pin a version; empty follows the prompt's newest version.",
    )
    tools = models.ManyToManyField(Tool, through="AgentTool", related_name="agents", blank=True)
    provider = models.CharField(max_length=16, choices=Provider.choices, default=Provider.LOCAL)
    model = models.CharField(max_length=200, blank=True, help_text="Empty uses the provider's default model.")
    voice = models.CharField(max_length=100, blank=True, help_text="Empty uses the provider's default voice.")
    credential = models.ForeignKey(
        ProviderCredential, on_delete=models.PROTECT, null=True, blank=True, related_name="agents"
    )
    turn_detection = models.CharField(
        max_length=16, choices=TurnDetectionMode.choices, default=TurnDetectionMode.SERVER_VAD
    )
    vad_threshold = models.FloatField(default=0.5, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)])
    vad_prefix_padding_ms = models.PositiveIntegerField(default=300, validators=[MaxValueValidator(5000)])
    vad_silence_duration_ms = models.PositiveIntegerField(
        default=500, validators=[MinValueValidator(50), MaxValueValidator(10000)]
    )
    input_transcription = models.BooleanField(default=True)
    temperature = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(0.0), MaxValueValidator(2.0)]
    )
    max_output_tokens = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(100_000)]
    )
    greeting = models.TextField(blank=True, help_text="Optional first utterance when a session starts.")
    max_tool_steps = models.PositiveIntegerField(default=3, validators=[MaxValueValidator(20)])
    tool_timeout_s = models.FloatField(default=10.0, validators=[MinValueValidator(0.1), MaxValueValidator(300.0)])
    is_default = models.BooleanField(default=False, help_text="Used when a room names no agent; one per organization.")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organization", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "slug"], name="agent_unique_slug"),
            models.UniqueConstraint(
                fields=["organization"], condition=Q(is_default=True), name=DEFAULT_CONSTRAINT
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_constraints(self) -> list[tuple[type[models.Model], Sequence[models.BaseConstraint]]]:
        # Making an agent the default unsets the others in the same transaction (agent_save), so
        # form validation must not reject it; the database constraint still guards against races.
        return [
            (model, [c for c in constraints if c.name != DEFAULT_CONSTRAINT])
            for model, constraints in super().get_constraints()
        ]

    def clean(self) -> None:
        errors: dict[str, str] = {}
        org_id = self.organization_id
        if self.provider == Provider.LOCAL:
            if self.credential_id is not None:
                errors["credential"] = "The local provider takes no credential."
        elif self.credential is None:
            errors["credential"] = f"The {self.get_provider_display()} provider needs a credential."
        elif self.credential.provider != self.provider:
            errors["credential"] = f"This credential is for {self.credential.provider}, not {self.provider}."
        elif org_id is not None and self.credential.organization_id != org_id:
            errors["credential"] = "This credential belongs to another organization."
        if self.prompt is not None and org_id is not None and self.prompt.organization_id != org_id:
            errors["prompt"] = "This prompt belongs to another organization."
        if self.prompt_version is not None and self.prompt_version.prompt_id != self.prompt_id:
            errors["prompt_version"] = "The pinned version must be a version of the agent's prompt."
        if errors:
            raise ValidationError(errors, code="invalid")
        default_model, default_voice = PROVIDER_DEFAULTS[self.provider]
        self.model = self.model or default_model
        self.voice = self.voice or default_voice


class AgentTool(models.Model):
    """A tool given to an agent, in the order the model sees them."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="agent_tools")
    tool = models.ForeignKey(Tool, on_delete=models.PROTECT, related_name="agent_tools")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["agent", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["agent", "tool"], name="agent_tool_unique")]

    def __str__(self) -> str:
        return f"{self.agent} → {self.tool}"

    def clean(self) -> None:
        # An admin inline hands over the (maybe unsaved) parent agent, so compare through it.
        agent = getattr(self, "agent", None) if self.agent_id or "agent" in self._state.fields_cache else None
        if agent is not None and self.tool_id is not None and self.tool.organization_id != agent.organization_id:
            raise ValidationError({"tool": "This tool belongs to another organization."}, code="invalid")
