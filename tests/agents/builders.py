"""Configuration objects built through the real services, for tests that need some in place."""

from __future__ import annotations

from typing import Any

from agents.models import Agent, Prompt, ProviderCredential, Tool
from agents.services.agents import agent_create
from agents.services.credentials import provider_credential_create
from agents.services.prompts import prompt_create
from agents.services.tools import tool_create
from tenancy.models import Organization

OPENAI_KEY = "sk-test-openai-4f1d9c2b7a"
SECRET_HEADER = "Bearer tool-secret-93ab41"

WEATHER_SCHEMA = {
    "type": "object",
    "properties": {"city": {"type": "string"}},
    "required": ["city"],
}


def a_credential(org: Organization, **kw: Any) -> ProviderCredential:
    values: dict[str, Any] = {"name": "openai main", "provider": "openai", "api_key": OPENAI_KEY}
    values.update(kw)
    return provider_credential_create(organization=org, **values)


def a_prompt(org: Organization, text: str = "You help {{ user_name }} in {{ room_name }}.", **kw: Any) -> Prompt:
    return prompt_create(organization=org, name=kw.pop("name", "support"), text=text)


def an_http_tool(org: Organization, **kw: Any) -> Tool:
    values: dict[str, Any] = {
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": WEATHER_SCHEMA,
        "kind": "http",
        "url": "https://tools.example.com/weather",
        "headers": {"X-Client": "voice"},
        "secret_headers": {"Authorization": SECRET_HEADER},
        "timeout_s": 5.0,
    }
    values.update(kw)
    return tool_create(organization=org, **values)


def a_python_tool(org: Organization, **kw: Any) -> Tool:
    values: dict[str, Any] = {"name": "calc", "kind": "python", "python_function": "calculator"}
    values.update(kw)
    return tool_create(organization=org, **values)


def an_agent(org: Organization, **kw: Any) -> Agent:
    values: dict[str, Any] = {"name": "Support", "slug": "support"}
    values.update(kw)
    return agent_create(organization=org, **values)


def agent_form(world: Any, **extra: Any) -> dict[str, Any]:
    """The admin's agent form, filled in for acme's agent "Desk"; ``extra`` overrides fields."""
    data = {
        "organization": world.acme.pk, "name": "Desk", "slug": "desk", "provider": "local",
        "turn_detection": "server_vad", "vad_threshold": "0.5", "vad_prefix_padding_ms": "300",
        "vad_silence_duration_ms": "500", "input_transcription": "on", "max_tool_steps": "3",
        "tool_timeout_s": "10", "greeting": "",
        "agent_tools-TOTAL_FORMS": "0", "agent_tools-INITIAL_FORMS": "0",
        "agent_tools-MIN_NUM_FORMS": "0", "agent_tools-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    data.update(extra)
    return data
