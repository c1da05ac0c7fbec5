"""Prompt templates: ``{{ user_name }}``-style variables rendered in jinja2's sandbox.

The sandbox refuses attribute tricks (``__class__``, ``mro`` ...) so a prompt written by one tenant
can never run code. Variables a template uses but the caller did not provide are collected over the
whole render and reported together, so a session start fails once with the full list instead of
crashing on the first one.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator, Mapping
from typing import Any

from jinja2 import ChainableUndefined, TemplateSyntaxError
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

#: Variables the platform provides at session start; callers may add more.
STANDARD_VARIABLES = ("user_name", "room_name", "participant", "room")

#: What the admin preview renders with.
SAMPLE_VARIABLES: dict[str, object] = {
    "user_name": "Ada",
    "room_name": "support-demo",
    "participant": {"language": "en", "plan": "pro"},
    "room": {"topic": "billing"},
}


class PromptError(Exception):
    code = "prompt_error"


class PromptVariableMissing(PromptError):
    code = "prompt_variable_missing"

    def __init__(self, missing: list[str]):
        self.missing = missing
        super().__init__(f"The prompt uses variables that were not provided: {', '.join(missing)}.")


class PromptTemplateInvalid(PromptError):
    code = "prompt_template_invalid"


class PromptRenderFailed(PromptError):
    code = "prompt_render_failed"


_missing: contextvars.ContextVar[list[tuple[Any, str]] | None] = contextvars.ContextVar(
    "prompt_missing", default=None
)


class _RecordingUndefined(ChainableUndefined):
    """Renders as nothing and notes its name; ``{% if x %}`` on it stays a plain false."""

    __slots__ = ()

    def _record(self) -> None:
        if self._undefined_exception is not UndefinedError:
            # The sandbox hands back an Undefined for forbidden attributes: that is an attack, not a gap.
            self._fail_with_undefined_error()
        found = _missing.get()
        if found is not None and self._undefined_name is not None:
            found.append((self._undefined_obj, self._undefined_name))

    def __str__(self) -> str:
        self._record()
        return ""

    def __iter__(self) -> Iterator[Any]:
        self._record()
        return iter(())


_env = SandboxedEnvironment(undefined=_RecordingUndefined, autoescape=False, keep_trailing_newline=True)


def prompt_template_check(text: str) -> None:
    """Raise ``PromptTemplateInvalid`` when ``text`` is not a valid template."""
    try:
        _env.parse(text)
    except TemplateSyntaxError as exc:
        raise PromptTemplateInvalid(f"Template syntax error on line {exc.lineno}: {exc.message}") from None


def prompt_render(text: str, variables: Mapping[str, object]) -> str:
    try:
        template = _env.from_string(text)
    except TemplateSyntaxError as exc:
        raise PromptTemplateInvalid(f"Template syntax error on line {exc.lineno}: {exc.message}") from None
    found: list[tuple[Any, str]] = []
    token = _missing.set(found)
    try:
        rendered = template.render(dict(variables))
    except SecurityError as exc:
        raise PromptRenderFailed(f"The prompt tried something the sandbox forbids: {exc}") from None
    except UndefinedError as exc:
        raise PromptRenderFailed(f"The prompt could not be rendered: {exc}") from None
    except (TypeError, ValueError, ArithmeticError, LookupError) as exc:
        raise PromptRenderFailed(f"The prompt could not be rendered: {exc}") from None
    finally:
        _missing.reset(token)
    if found:
        raise PromptVariableMissing(_names(found, variables))
    return rendered


def _names(found: list[tuple[Any, str]], variables: Mapping[str, object]) -> list[str]:
    names: list[str] = []
    for obj, name in found:
        # Attribute misses carry their parent object; name it after the variable that holds it.
        parent = next((key for key, value in variables.items() if obj is not None and value is obj), None)
        full = f"{parent}.{name}" if parent else name
        if full not in names:
            names.append(full)
    return names
