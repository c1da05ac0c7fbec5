"""Reads of agent configuration: tenant-scoped lookups and the engine's plain ``AgentSpec``."""

# A submodule (agents.selectors, never a top-level "selectors") cannot shadow the stdlib module, and
# the name is the contract other apps import; strict A005 checking flags it anyway.
# ruff: noqa: A005

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import QuerySet

from agents.models import Agent, Prompt, PromptVersion, ProviderCredential, Tool, ToolKind, TurnDetectionMode
from agents.models.credentials import Provider, provider_default_url
from agents.prompting import prompt_render
from agents.realtime.spec import AgentSpec, HttpToolConfig, ToolSpec, TurnDetection
from tenancy.access import Actor, get_scoped, scoped
from tenancy.models import Organization

# --- tenant access (one choke point per type; missing and foreign are the same 404) ------------


def _ref_lookup(ref: int | str, *, slug_field: str | None) -> dict[str, object]:
    text = str(ref)
    if text.isdigit():
        return {"pk": int(text)}
    if slug_field is None:
        return {"pk": -1}  # matches nothing: a 404 like any other miss
    return {slug_field: text}


def agents_for_actor(actor: Actor) -> QuerySet[Agent]:
    return scoped(Agent.objects.select_related("prompt", "credential"), actor)


def get_agent_for_actor(actor: Actor, slug_or_pk: int | str) -> Agent:
    return get_scoped(agents_for_actor(actor), actor, **_ref_lookup(slug_or_pk, slug_field="slug"))


def prompts_for_actor(actor: Actor) -> QuerySet[Prompt]:
    return scoped(Prompt.objects.all(), actor)


def get_prompt_for_actor(actor: Actor, pk: int | str) -> Prompt:
    return get_scoped(prompts_for_actor(actor), actor, **_ref_lookup(pk, slug_field=None))


def prompt_versions(prompt: Prompt) -> QuerySet[PromptVersion]:
    return prompt.versions.order_by("-number")


def tools_for_actor(actor: Actor) -> QuerySet[Tool]:
    return scoped(Tool.objects.all(), actor)


def get_tool_for_actor(actor: Actor, name_or_pk: int | str) -> Tool:
    return get_scoped(tools_for_actor(actor), actor, **_ref_lookup(name_or_pk, slug_field="name"))


def credentials_for_actor(actor: Actor) -> QuerySet[ProviderCredential]:
    return scoped(ProviderCredential.objects.all(), actor)


def get_credential_for_actor(actor: Actor, pk: int | str) -> ProviderCredential:
    return get_scoped(credentials_for_actor(actor), actor, **_ref_lookup(pk, slug_field=None))


# --- lookups by organization (rooms and the realtime side) -------------------------------------


def default_agent_for(organization: Organization) -> Agent | None:
    return Agent.objects.filter(organization=organization, is_default=True).first()


def agent_by_slug(organization: Organization, slug: str) -> Agent | None:
    return Agent.objects.filter(organization=organization, slug=slug).first()


def agent_tools(agent: Agent) -> list[Tool]:
    return [link.tool for link in agent.agent_tools.select_related("tool").order_by("position", "pk")]


def agent_prompt_text(agent: Agent) -> str:
    """The pinned version's text, else the prompt's newest; empty for an agent without a prompt."""
    if agent.prompt_version is not None:
        return agent.prompt_version.text
    return agent.prompt.text if agent.prompt is not None else ""


# --- the engine's view of an agent -------------------------------------------------------------


def tool_spec_for(tool: Tool) -> ToolSpec:
    if tool.kind == ToolKind.HTTP:
        http = HttpToolConfig(
            url=tool.url,
            method=tool.method,
            headers={**tool.headers, **tool.secret_header_values},
            timeout_s=tool.timeout_s,
        )
        return ToolSpec(tool.name, tool.description, tool.parameters, kind="http", http=http)
    if tool.kind == ToolKind.CLIENT:
        return ToolSpec(tool.name, tool.description, tool.parameters, kind="client")
    return ToolSpec(tool.name, tool.description, tool.parameters, kind="python", python_function=tool.python_function)


def agent_spec_for(agent: Agent, *, variables: Mapping[str, object]) -> AgentSpec:
    """Everything the engine needs to run ``agent``; raises ``PromptVariableMissing`` on a gap."""
    instructions = prompt_render(agent_prompt_text(agent), variables)
    credential = agent.credential if agent.provider != Provider.LOCAL else None
    turn_detection = (
        TurnDetection(
            threshold=agent.vad_threshold,
            prefix_padding_ms=agent.vad_prefix_padding_ms,
            silence_duration_ms=agent.vad_silence_duration_ms,
        )
        if agent.turn_detection == TurnDetectionMode.SERVER_VAD
        else None
    )
    return AgentSpec(
        agent_id=agent.slug,
        name=agent.name,
        instructions=instructions,
        provider=agent.provider,  # type: ignore[arg-type]
        model=agent.model,
        voice=agent.voice,
        api_key=credential.api_key if credential else None,
        base_url=(credential.base_url if credential and credential.base_url else None)
        or provider_default_url(agent.provider),
        turn_detection=turn_detection,
        input_transcription=agent.input_transcription,
        temperature=agent.temperature,
        max_output_tokens=agent.max_output_tokens,
        greeting=agent.greeting,
        tools=tuple(tool_spec_for(tool) for tool in agent_tools(agent)),
        max_tool_steps=agent.max_tool_steps,
        tool_timeout_s=agent.tool_timeout_s,
        metadata={"organization": agent.organization.slug},
    )
