from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction

from agents.models import Agent, AgentTool, Tool
from agents.services.common import assign, model_delete, model_save, ordered_links_set
from tenancy.models import Organization

AGENT_FIELDS = frozenset(
    {
        "name", "slug", "prompt", "prompt_version", "provider", "model", "voice", "credential",
        "turn_detection", "vad_threshold", "vad_prefix_padding_ms", "vad_silence_duration_ms",
        "input_transcription", "temperature", "max_output_tokens", "greeting", "max_tool_steps",
        "tool_timeout_s", "is_default",
    }
)  # fmt: skip


@transaction.atomic
def agent_save(*, agent: Agent) -> Agent:
    """Validate and save; making an agent the default takes the flag from the previous one."""
    if agent.is_default:
        Agent.objects.filter(organization_id=agent.organization_id, is_default=True).exclude(pk=agent.pk).update(
            is_default=False
        )
    model_save(agent)
    return agent


@transaction.atomic
def agent_create(*, organization: Organization, tools: Sequence[Tool] = (), **fields: Any) -> Agent:
    agent = Agent(organization=organization)
    assign(agent, fields, AGENT_FIELDS)
    agent_save(agent=agent)
    agent_tools_set(agent=agent, tools=tools)
    return agent


@transaction.atomic
def agent_update(*, agent: Agent, tools: Sequence[Tool] | None = None, **fields: Any) -> Agent:
    assign(agent, fields, AGENT_FIELDS)
    if "provider" in fields and "credential" not in fields and agent.credential is not None:
        # A new provider cannot keep the old provider's key; say so instead of guessing.
        if agent.credential.provider != agent.provider:
            agent.credential = None
    agent_save(agent=agent)
    if tools is not None:
        agent_tools_set(agent=agent, tools=tools)
    return agent


@transaction.atomic
def agent_tools_set(*, agent: Agent, tools: Sequence[Tool]) -> None:
    """Replace the agent's tools with ``tools``, in that order."""
    ordered_links_set(owner=agent, items=tools, link_model=AgentTool, owner_field="agent", item_field="tool",
                      error_field="tools", label=lambda tool: tool.name)


@transaction.atomic
def agent_duplicate(*, agent: Agent, name: str | None = None, slug: str | None = None) -> Agent:
    """A copy with the same settings and tools; never the default, with a free slug."""
    tools = [link.tool for link in agent.agent_tools.select_related("tool").order_by("position", "pk")]
    base = slug or f"{agent.slug}-copy"[:63]
    candidate, n = base, 2
    while Agent.objects.filter(organization_id=agent.organization_id, slug=candidate).exists():
        suffix = f"-{n}"
        candidate, n = base[: 63 - len(suffix)] + suffix, n + 1
    copy = Agent.objects.get(pk=agent.pk)
    copy.pk = None
    copy._state.adding = True
    copy.name = name or f"{agent.name} (copy)"[:200]
    copy.slug = candidate
    copy.is_default = False
    agent_save(agent=copy)
    agent_tools_set(agent=copy, tools=tools)
    return copy


@transaction.atomic
def agent_delete(*, agent: Agent) -> None:
    model_delete(agent)
