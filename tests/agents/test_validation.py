"""Every configuration rule rejects a bad value with an error on the right field."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from agents.models import Agent
from agents.services.agents import agent_update
from agents.services.tools import tool_update
from tests.agents.builders import a_credential, a_prompt, a_python_tool, an_agent, an_http_tool

pytestmark = pytest.mark.django_db


def fields_of(exc: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return set(exc.value.message_dict)


@pytest.mark.parametrize("name", ["has space", "x" * 65, "", "dot.name", "ünïcode"])
def test_it_rejects_a_tool_name_a_model_cannot_call(world, name):
    with pytest.raises(ValidationError) as exc:
        a_python_tool(world.acme, name=name)
    assert "name" in fields_of(exc)


def test_it_rejects_a_duplicate_tool_name_in_one_organization_only(world):
    a_python_tool(world.acme)
    with pytest.raises(ValidationError) as exc:
        a_python_tool(world.acme)
    assert "name" in fields_of(exc)
    assert a_python_tool(world.globex).name == "calc"  # names are per organization


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "not-a-type"},
        {"type": "object", "properties": {"x": {"type": 5}}},
        {"type": "object", "required": "city"},
        {"type": "string"},
        ["not", "an", "object"],
    ],
)
def test_it_rejects_a_parameters_value_that_is_not_an_object_json_schema(world, schema):
    with pytest.raises(ValidationError) as exc:
        a_python_tool(world.acme, parameters=schema)
    assert "parameters" in fields_of(exc)


def test_it_only_accepts_python_functions_from_the_registry(world):
    with pytest.raises(ValidationError) as exc:
        a_python_tool(world.acme, python_function="os.system")
    assert "python_function" in fields_of(exc)
    assert "calculator" in str(exc.value)


def test_it_requires_an_http_url_for_an_http_tool(world):
    with pytest.raises(ValidationError) as exc:
        an_http_tool(world.acme, url="")
    assert "url" in fields_of(exc)
    with pytest.raises(ValidationError) as exc:
        an_http_tool(world.acme, url="file:///etc/passwd")
    assert "url" in fields_of(exc)


@pytest.mark.parametrize("timeout", [0, 61, -1])
def test_it_bounds_the_http_timeout(world, timeout):
    with pytest.raises(ValidationError) as exc:
        an_http_tool(world.acme, timeout_s=timeout)
    assert "timeout_s" in fields_of(exc)


def test_it_rejects_header_injection(world):
    with pytest.raises(ValidationError) as exc:
        an_http_tool(world.acme, secret_headers={"Authorization": "x\r\nEvil: 1"})
    assert "secret_headers" in fields_of(exc)
    with pytest.raises(ValidationError) as exc:
        an_http_tool(world.acme, headers={"Bad Name": "x"})
    assert "headers" in fields_of(exc)


def test_it_keeps_secret_headers_when_an_update_leaves_them_out(world):
    tool = an_http_tool(world.acme)
    tool_update(tool=tool, description="new")
    tool.refresh_from_db()
    assert tool.secret_header_values == {"Authorization": "Bearer tool-secret-93ab41"}
    tool_update(tool=tool, secret_headers={})
    tool.refresh_from_db()
    assert tool.secret_header_values == {}


def test_it_requires_a_credential_for_a_hosted_provider(world):
    with pytest.raises(ValidationError) as exc:
        an_agent(world.acme, provider="openai")
    assert "credential" in fields_of(exc)
    assert not Agent.objects.exists()


def test_it_requires_the_credential_of_the_same_provider(world):
    dashscope = a_credential(world.acme, name="ds", provider="dashscope")
    with pytest.raises(ValidationError) as exc:
        an_agent(world.acme, provider="openai", credential=dashscope)
    assert "credential" in fields_of(exc)


def test_it_refuses_another_organizations_credential_and_prompt(world):
    foreign_key = a_credential(world.globex)
    foreign_prompt = a_prompt(world.globex)
    with pytest.raises(ValidationError) as exc:
        an_agent(world.acme, provider="openai", credential=foreign_key, prompt=foreign_prompt)
    assert {"credential", "prompt"} <= fields_of(exc)


def test_it_refuses_another_organizations_tool(world):
    foreign = a_python_tool(world.globex)
    with pytest.raises(ValidationError) as exc:
        an_agent(world.acme, tools=[foreign])
    assert "tools" in fields_of(exc)


def test_it_rejects_a_credential_on_a_local_agent(world):
    with pytest.raises(ValidationError) as exc:
        an_agent(world.acme, provider="local", credential=a_credential(world.acme))
    assert "credential" in fields_of(exc)


def test_it_fills_in_the_providers_default_model_and_voice(world):
    cases = {
        "openai": ("gpt-realtime", "alloy"),
        "dashscope": ("qwen3-omni-flash-realtime", "Cherry"),
        "gemini": ("gemini-2.5-flash-native-audio-preview-09-2025", "Puck"),
    }
    for provider, expected in cases.items():
        credential = a_credential(world.acme, name=provider, provider=provider)
        agent = an_agent(world.acme, slug=provider, provider=provider, credential=credential)
        assert (agent.model, agent.voice) == expected
    assert (an_agent(world.acme, slug="loc").model, Agent.objects.get(slug="loc").voice) == ("local", "local")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("vad_threshold", 1.5),
        ("vad_silence_duration_ms", 10),
        ("temperature", 3.0),
        ("max_output_tokens", 0),
        ("max_tool_steps", 50),
        ("tool_timeout_s", 0),
        ("slug", "Not A Slug"),
        ("turn_detection", "semantic"),
        ("provider", "anthropic"),
    ],
)
def test_it_rejects_out_of_range_agent_settings(world, field, value):
    with pytest.raises(ValidationError) as exc:
        an_agent(world.acme, **{field: value})
    assert field in fields_of(exc)


def test_it_keeps_slugs_unique_per_organization(world):
    an_agent(world.acme)
    with pytest.raises(ValidationError) as exc:
        an_agent(world.acme, name="Other")
    assert "slug" in fields_of(exc)
    assert an_agent(world.globex).slug == "support"


def test_it_keeps_one_default_agent_per_organization(world):
    first = an_agent(world.acme, slug="first", is_default=True)
    second = an_agent(world.acme, slug="second", is_default=True)
    first.refresh_from_db()
    assert (first.is_default, second.is_default) == (False, True)
    agent_update(agent=first, is_default=True)
    second.refresh_from_db()
    assert second.is_default is False
    assert Agent.objects.filter(organization=world.acme, is_default=True).get() == first
    # The database enforces it too, whatever code path tries to break it.
    with pytest.raises(IntegrityError), transaction.atomic():
        Agent.objects.filter(pk=second.pk).update(is_default=True)


def test_it_rejects_a_pinned_version_of_another_prompt(world):
    mine, other = a_prompt(world.acme), a_prompt(world.acme, name="other", text="Other")
    with pytest.raises(ValidationError) as exc:
        an_agent(world.acme, prompt=mine, prompt_version=other.active_version)
    assert "prompt_version" in fields_of(exc)


def test_it_rejects_a_prompt_with_broken_template_syntax(world):
    with pytest.raises(ValidationError) as exc:
        a_prompt(world.acme, text="Hello {{ user_name ")
    assert "text" in fields_of(exc)
    assert "line 1" in str(exc.value)
