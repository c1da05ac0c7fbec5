"""agent_spec_for: the plain configuration the realtime engine runs an agent from."""

from __future__ import annotations

import pytest
from django.conf import settings

from agents.prompting import PromptVariableMissing
from agents.realtime.spec import AgentSpec, HttpToolConfig, ToolSpec, TurnDetection
from agents.selectors import agent_by_slug, agent_spec_for, default_agent_for
from agents.services.tools import tool_create
from tests.agents.builders import (
    OPENAI_KEY,
    SECRET_HEADER,
    WEATHER_SCHEMA,
    a_credential,
    a_prompt,
    a_python_tool,
    an_agent,
    an_http_tool,
)

pytestmark = pytest.mark.django_db

VARIABLES = {"user_name": "Ada", "room_name": "lobby", "participant": {}, "room": {}}


def test_it_builds_the_engine_spec_with_decrypted_secrets_and_ordered_tools(world):
    http, calc = an_http_tool(world.acme), a_python_tool(world.acme)
    client_tool = tool_create(organization=world.acme, name="show_map", kind="client", description="Map")
    agent = an_agent(
        world.acme,
        provider="openai",
        credential=a_credential(world.acme, base_url="wss://proxy.acme.test/v1/realtime"),
        prompt=a_prompt(world.acme),
        tools=[calc, http, client_tool],
        vad_threshold=0.7,
        vad_prefix_padding_ms=200,
        vad_silence_duration_ms=800,
        temperature=0.8,
        max_output_tokens=500,
        greeting="Hello!",
        max_tool_steps=4,
        tool_timeout_s=7.5,
    )
    spec = agent_spec_for(agent, variables=VARIABLES)
    assert spec == AgentSpec(
        agent_id="support",
        name="Support",
        instructions="You help Ada in lobby.",
        provider="openai",
        model="gpt-realtime",
        voice="alloy",
        api_key=OPENAI_KEY,
        base_url="wss://proxy.acme.test/v1/realtime",
        turn_detection=TurnDetection(threshold=0.7, prefix_padding_ms=200, silence_duration_ms=800),
        input_transcription=True,
        temperature=0.8,
        max_output_tokens=500,
        greeting="Hello!",
        tools=(
            ToolSpec("calc", "", {"type": "object", "properties": {}}, kind="python", python_function="calculator"),
            ToolSpec(
                "get_weather",
                "Weather for a city",
                WEATHER_SCHEMA,
                kind="http",
                http=HttpToolConfig(
                    url="https://tools.example.com/weather",
                    method="POST",
                    headers={"X-Client": "voice", "Authorization": SECRET_HEADER},
                    timeout_s=5.0,
                ),
            ),
            ToolSpec("show_map", "Map", {"type": "object", "properties": {}}, kind="client"),
        ),
        max_tool_steps=4,
        tool_timeout_s=7.5,
        metadata={"organization": "acme"},
    )


def test_it_uses_the_platform_url_without_an_override_and_none_for_manual_turns(world):
    agent = an_agent(
        world.acme,
        provider="gemini",
        credential=a_credential(world.acme, provider="gemini", name="g"),
        turn_detection="manual",
        input_transcription=False,
    )
    spec = agent_spec_for(agent, variables={})
    assert spec.base_url == settings.GEMINI_LIVE_URL
    assert spec.turn_detection is None
    assert spec.input_transcription is False
    assert spec.instructions == ""


def test_it_gives_a_local_agent_no_key_and_no_url(world):
    spec = agent_spec_for(an_agent(world.acme), variables={})
    assert (spec.provider, spec.api_key, spec.base_url, spec.model) == ("local", None, None, "local")


def test_it_raises_a_clear_error_for_a_missing_variable(world):
    agent = an_agent(world.acme, prompt=a_prompt(world.acme, text="Hi {{ user_name }}, {{ participant.tier }}"))
    with pytest.raises(PromptVariableMissing) as exc:
        agent_spec_for(agent, variables={"participant": {}})
    assert exc.value.code == "prompt_variable_missing"
    assert exc.value.missing == ["user_name", "participant.tier"]


def test_it_finds_agents_by_slug_and_the_default_within_one_organization(world):
    assert default_agent_for(world.acme) is None
    mine = an_agent(world.acme, is_default=True)
    theirs = an_agent(world.globex, is_default=True)
    assert default_agent_for(world.acme) == mine
    assert default_agent_for(world.globex) == theirs
    assert agent_by_slug(world.acme, "support") == mine
    assert agent_by_slug(world.acme, "nope") is None
