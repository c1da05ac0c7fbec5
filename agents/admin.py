"""Admin console for agent configuration, scoped to the staff user's organizations.

Secrets (provider keys, secret tool headers) are write-only here: a change form says whether one is
set and keeps it when the input is left blank.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import ForeignKey, QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest
from django.utils.html import format_html

from agents.models import Agent, AgentTool, Prompt, PromptVersion, ProviderCredential, Tool
from agents.prompting import SAMPLE_VARIABLES, PromptError, prompt_render, prompt_template_check
from agents.selectors import agent_prompt_text
from agents.services.agents import agent_duplicate, agent_save
from agents.services.credentials import provider_credential_key_check
from agents.services.prompts import prompt_version_create
from agents.services.tools import tool_secret_headers_check
from tenancy.access import organizations_admin_for
from tenancy.admin_scoping import OrganizationScopedAdmin, OrganizationScopedInline


def scope_choices(field: ModelChoiceField[Any] | None, request: HttpRequest, path: str) -> None:
    """Offer only objects of organizations the user may write to (superusers see all)."""
    if field is not None and field.queryset is not None and not request.user.is_superuser:
        field.queryset = field.queryset.filter(**{f"{path}__in": organizations_admin_for(request.user, write=True)})


# --- provider credentials -----------------------------------------------------------------------


class ProviderCredentialForm(forms.ModelForm):
    api_key = forms.CharField(
        label="API key", required=False, strip=True, widget=forms.PasswordInput(render_value=False)
    )

    class Meta:
        model = ProviderCredential
        fields = ("organization", "name", "provider", "api_key", "base_url")

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            state = "set" if self.instance.api_key else "not set"
            self.fields["api_key"].help_text = f"Currently {state}. Leave blank to keep it; type a new key to replace it."
        else:
            self.fields["api_key"].required = True

    def clean_api_key(self) -> str:
        return str(self.cleaned_data.get("api_key") or "")

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if self.instance.pk:
            # The instance still holds the stored values here; the service's rule decides, as for the API.
            provider_credential_key_check(credential=self.instance, base_url=cleaned.get("base_url"),
                                          api_key=cleaned.get("api_key"))
            cleaned["api_key"] = cleaned.get("api_key") or self.instance.api_key
        return cleaned


@admin.register(ProviderCredential)
class ProviderCredentialAdmin(OrganizationScopedAdmin[ProviderCredential]):
    form = ProviderCredentialForm
    list_display = ("name", "provider", "organization", "base_url", "updated")
    list_filter = ("provider", "organization")
    list_select_related = ("organization",)
    search_fields = ("name", "base_url", "organization__slug")

    def get_readonly_fields(self, request: HttpRequest, obj: ProviderCredential | None = None) -> Any:
        fields = tuple(super().get_readonly_fields(request, obj))
        # The provider is fixed once agents were validated against it.
        return (*fields, "provider") if obj else fields


# --- prompts --------------------------------------------------------------------------------------


class PromptForm(forms.ModelForm):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 14, "cols": 100}),
        strip=False,
        help_text="A template: {{ user_name }}, {{ room_name }}, {{ participant.<attribute> }}, "
        "{{ room.<metadata key> }}. Saving changed text makes a new version.",
    )

    class Meta:
        model = Prompt
        fields = ("organization", "name", "text")

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["text"].initial = self.instance.text

    def clean_text(self) -> str:
        text = str(self.cleaned_data["text"])
        try:
            prompt_template_check(text)
        except PromptError as exc:
            raise forms.ValidationError(str(exc), code=exc.code) from None
        return text


class PromptVersionInline(OrganizationScopedInline):
    model = PromptVersion
    fields = ("number", "text", "created")
    readonly_fields = ("number", "text", "created")
    extra = 0
    can_delete = False
    verbose_name_plural = "Versions (newest first; versions never change)"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Prompt)
class PromptAdmin(OrganizationScopedAdmin[Prompt]):
    form = PromptForm
    inlines = (PromptVersionInline,)
    list_display = ("name", "organization", "updated")
    list_filter = ("organization",)
    list_select_related = ("organization",)
    search_fields = ("name", "versions__text")

    def save_model(self, request: HttpRequest, obj: Prompt, form: Any, change: bool) -> None:
        obj.save()
        prompt_version_create(prompt=obj, text=form.cleaned_data["text"])


# --- tools ----------------------------------------------------------------------------------------


class ToolForm(forms.ModelForm):
    secret_headers_input = forms.JSONField(
        label="Secret headers",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text='A JSON object such as {"Authorization": "Bearer …"}; encrypted and never shown again. '
        "Leave blank to keep the current ones, {} to remove them.",
    )

    class Meta:
        model = Tool
        fields = (
            "organization", "name", "description", "kind", "parameters", "python_function",
            "url", "method", "headers", "timeout_s",
        )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        names = sorted(self.instance.secret_header_values) if self.instance.pk else []
        self.fields["secret_headers_input"].initial = None
        if names:
            self.fields["secret_headers_input"].help_text = (
                f"Currently set: {', '.join(names)}. " + str(self.fields["secret_headers_input"].help_text)
            )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        value = cleaned.get("secret_headers_input")
        if value is None and self.instance.pk and "url" in cleaned:
            # The instance still holds the stored URL here; the service's rule decides, as for the API.
            try:
                tool_secret_headers_check(tool=self.instance, url=cleaned["url"], secret_headers=None)
            except ValidationError as exc:
                self.add_error("secret_headers_input", exc.error_dict["secret_headers"])
        if value is not None:
            if not isinstance(value, dict):
                self.add_error("secret_headers_input", "Give a JSON object of header name to value.")
            else:
                # Set before model validation so the header rules apply to it too.
                self.instance.set_secret_headers(value)
        return cleaned

    def _update_errors(self, errors: Any) -> None:
        # Model errors on the encrypted field belong to its write-only input here.
        if hasattr(errors, "error_dict") and "secret_headers" in errors.error_dict:
            errors.error_dict["secret_headers_input"] = errors.error_dict.pop("secret_headers")
        super()._update_errors(errors)  # type: ignore[misc]


@admin.register(Tool)
class ToolAdmin(OrganizationScopedAdmin[Tool]):
    form = ToolForm
    list_display = ("name", "kind", "organization", "python_function", "url", "updated")
    list_filter = ("kind", "organization")
    list_select_related = ("organization",)
    search_fields = ("name", "description", "url", "python_function")


# --- agents ---------------------------------------------------------------------------------------


class AgentToolInline(OrganizationScopedInline):
    model = AgentTool
    fields = ("position", "tool")
    extra = 1
    ordering = ("position", "pk")
    verbose_name_plural = "Tools (in the order the model sees them)"


@admin.register(Agent)
class AgentAdmin(OrganizationScopedAdmin[Agent]):
    inlines = (AgentToolInline,)
    list_display = ("name", "slug", "organization", "provider", "model", "voice", "prompt", "is_default")
    list_filter = ("provider", "is_default", "turn_detection", "organization")
    list_select_related = ("organization", "prompt")
    search_fields = ("name", "slug", "prompt__name", "model")
    readonly_fields = ("prompt_preview",)
    actions = ("duplicate",)
    fieldsets = (
        (None, {"fields": ("organization", "name", "slug", "is_default")}),
        ("Prompt", {"fields": ("prompt", "prompt_version", "prompt_preview", "greeting")}),
        ("Model", {"fields": ("provider", "credential", "model", "voice", "temperature", "max_output_tokens")}),
        (
            "Turns",
            {
                "fields": (
                    "turn_detection", "vad_threshold", "vad_prefix_padding_ms", "vad_silence_duration_ms",
                    "input_transcription",
                )
            },
        ),
        ("Tools", {"fields": ("max_tool_steps", "tool_timeout_s")}),
    )

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "prompt_version":
            scope_choices(field, request, "prompt__organization")
        return field

    @admin.display(description="Rendered prompt (sample variables)")
    def prompt_preview(self, obj: Agent) -> str:
        if obj.pk is None:
            return "Save the agent to see its rendered prompt."
        sample = ", ".join(f"{k}={v!r}" for k, v in SAMPLE_VARIABLES.items())
        try:
            rendered = prompt_render(agent_prompt_text(obj), SAMPLE_VARIABLES)
        except PromptError as exc:
            return format_html('<p class="errornote">{}</p><p class="help">Sample: {}</p>', str(exc), sample)
        return format_html(
            '<pre style="white-space: pre-wrap; max-width: 60em">{}</pre><p class="help">Sample: {}</p>',
            rendered,
            sample,
        )

    def save_model(self, request: HttpRequest, obj: Agent, form: Any, change: bool) -> None:
        agent_save(agent=obj)

    @admin.action(description="Duplicate selected agents", permissions=["change"])
    def duplicate(self, request: HttpRequest, queryset: QuerySet[Agent]) -> None:
        if not request.user.is_superuser:
            queryset = queryset.filter(organization__in=self._writable_org_ids(request))
        copies = [agent_duplicate(agent=agent) for agent in queryset]
        messages.success(request, f"Created {', '.join(c.slug for c in copies) or 'nothing'}.")
