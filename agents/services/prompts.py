from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from agents.models import Prompt, PromptVersion
from agents.prompting import PromptTemplateInvalid, prompt_template_check
from agents.services.common import model_delete, model_save
from tenancy.models import Organization


def _check_text(text: str) -> None:
    if not text.strip():
        raise ValidationError({"text": "A prompt needs some text."}, code="invalid")
    try:
        prompt_template_check(text)
    except PromptTemplateInvalid as exc:
        raise ValidationError({"text": str(exc)}, code=exc.code) from None


@transaction.atomic
def prompt_create(*, organization: Organization, name: str, text: str) -> Prompt:
    _check_text(text)
    prompt = Prompt(organization=organization, name=name)
    model_save(prompt)
    prompt_version_create(prompt=prompt, text=text)
    return prompt


@transaction.atomic
def prompt_update(*, prompt: Prompt, name: str | None = None, text: str | None = None) -> Prompt:
    if name is not None:
        prompt.name = name
        model_save(prompt)
    if text is not None:
        prompt_version_create(prompt=prompt, text=text)
    return prompt


@transaction.atomic
def prompt_version_create(*, prompt: Prompt, text: str) -> PromptVersion:
    """A new numbered version, unless ``text`` is what the newest version already says."""
    _check_text(text)
    # Lock the prompt so two concurrent edits cannot take the same number.
    Prompt.objects.select_for_update().filter(pk=prompt.pk).first()
    active = prompt.active_version
    if active is not None and active.text == text:
        return active
    number = (prompt.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = PromptVersion(prompt=prompt, number=number, text=text)
    model_save(version)
    Prompt.objects.filter(pk=prompt.pk).update(updated=version.created)
    prompt.updated = version.created
    return version


@transaction.atomic
def prompt_delete(*, prompt: Prompt) -> None:
    model_delete(prompt)
