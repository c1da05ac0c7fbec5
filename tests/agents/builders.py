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
