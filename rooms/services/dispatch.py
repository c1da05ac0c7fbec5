"""Which agents a new room runs, with which settings (synchronous; ORM).

A room created by a join takes its agents from, in order: the token's ``roomConfig.agents`` (LiveKit's
agent dispatch), the organization's room config whose slug is the room's name, or the organization's
default agent. The token's ``roomConfig`` timeouts, limit and metadata override the room config's, as
LiveKit applies ``roomConfig`` when a join creates the room.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from agents.models import PROVIDER_DEFAULTS, ProviderCredential
from agents.prompting import PromptError
from agents.realtime.spec import AgentSpec
from agents.selectors import agent_by_slug, agent_spec_for, default_agent_for
from rooms.selectors import room_config_agents, room_config_for_room
from rooms.services.live import RoomSettings
from tenancy.access import memberships_for_user
from tenancy.models import Organization

PROVIDERS = ("dashscope", "gemini", "openai")
# AgentScope's multi-agent server opens the conversation by prompting the first agent.
OPENING_PROMPT = "You are now in a live conversation with the other participant. Begin."


class DispatchError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class RoomPlan:
    settings: RoomSettings
    specs: list[AgentSpec]
    warnings: list[str] = field(default_factory=list)
    opening_prompt: str = ""


def _variables(room_name: str, identity: str, name: str, attributes: dict[str, str], metadata: str) -> dict[str, Any]:
    try:
        room_meta = json.loads(metadata) if metadata else {}
    except ValueError:
        room_meta = {}
    return {"user_name": name or identity, "room_name": room_name, "participant": attributes,
            "room": room_meta if isinstance(room_meta, dict) else {"metadata": metadata}}


def _local_speed(spec: AgentSpec) -> AgentSpec:
    speed = float(getattr(settings, "LOCAL_MODEL_SPEED", 1.0))
    if spec.provider != "local" or speed == 1.0:
        return spec
    return replace(spec, metadata={**spec.metadata, "local_speed": str(speed)})


def _spec(agent: Any, variables: dict[str, Any]) -> AgentSpec:
    try:
        return _local_speed(agent_spec_for(agent, variables=variables))
    except PromptError as exc:
        raise DispatchError(getattr(exc, "code", "prompt_invalid"), f"Agent {agent.slug!r}: {exc}") from None


def _camel(config: dict[str, Any], camel: str) -> Any:
    snake = re.sub(r"([A-Z])", r"_\1", camel).lower()
    return config.get(camel, config.get(snake))


def room_plan_for_join(*, organization_id: int, room_name: str, token_room_config: dict[str, Any],
                       identity: str, name: str = "", attributes: dict[str, str] | None = None) -> RoomPlan:
    org = Organization.objects.get(pk=organization_id)
    room_config = room_config_for_room(org, room_name)
    base = RoomSettings()
    if room_config is not None:
        base = RoomSettings(floor_policy=room_config.floor_policy, max_participants=room_config.max_participants,
                            empty_timeout=room_config.empty_timeout, departure_timeout=room_config.departure_timeout,
                            metadata=room_config.metadata, record_transcripts=room_config.record_transcripts,
                            room_config_id=room_config.pk)
    overrides = {"empty_timeout": _camel(token_room_config, "emptyTimeout"),
                 "departure_timeout": _camel(token_room_config, "departureTimeout"),
                 "max_participants": _camel(token_room_config, "maxParticipants"),
                 "metadata": _camel(token_room_config, "metadata")}
    changes: dict[str, Any] = {k: (str(v) if k == "metadata" else int(v))
                               for k, v in overrides.items() if v not in (None, "")}
    room_settings = replace(base, **changes)
    variables = _variables(room_name, identity, name, attributes or {}, room_settings.metadata)
    dispatches = token_room_config.get("agents") or []
    if dispatches:
        agents = []
        for dispatch in dispatches:
            slug = str(_camel(dispatch, "agentName") or "")
            agent = agent_by_slug(org, slug)
            if agent is None:
                raise DispatchError("unknown_agent", f"No agent named {slug!r} in this organization.")
            agents.append(agent)
    elif room_config is not None:
        agents = room_config_agents(room_config)
    else:
        default = default_agent_for(org)
        agents = [default] if default is not None else []
    return RoomPlan(room_settings, [_spec(agent, variables) for agent in agents])


# --- AgentScope v1 example pages ----------------------------------------------------------------


def provider_fallback_enabled() -> bool:
    return bool(getattr(settings, "PROVIDER_FALLBACK_LOCAL", settings.DEBUG))


def page_organization_id(user: AbstractBaseUser | AnonymousUser | None, chosen_slug: str | None = None) -> int | None:
    """The organization AgentScope's pages and their socket act for: the member's chosen one (the web
    app's switcher), else their first; the dev organization for anonymous callers when
    ``ALLOW_ANONYMOUS_SESSIONS`` is on; else ``None``."""
    memberships = memberships_for_user(user or AnonymousUser())
    membership = (memberships.filter(organization__slug=chosen_slug).first() if chosen_slug else None) \
        or memberships.first()
    if membership is not None:
        return int(membership.organization_id)
    if settings.ALLOW_ANONYMOUS_SESSIONS:
        org = Organization.objects.filter(slug=settings.DEV_ORGANIZATION_SLUG).first()
        return int(org.pk) if org else None
    return None


def provider_availability(*, organization_id: int) -> dict[str, bool]:
    """What the AgentScope pages ask on load: a provider is usable when the organization has a
    credential for it, or when sessions fall back to the local model."""
    have = set(ProviderCredential.objects.filter(organization_id=organization_id).values_list("provider", flat=True))
    fallback = provider_fallback_enabled()
    return {provider: provider in have or fallback for provider in PROVIDERS}


def _adhoc_spec(org: Organization, *, agent_id: str, name: str, instructions: str, provider: str,
                warnings: list[str]) -> AgentSpec:
    if not instructions.strip():
        raise DispatchError("missing_field", f"Agent {name!r} needs instructions.")
    provider = provider if provider in PROVIDERS else "local"
    credential = ProviderCredential.objects.filter(organization=org, provider=provider).order_by("pk").first()
    if provider != "local" and credential is None:
        if not provider_fallback_enabled():
            raise DispatchError("provider_unavailable", f"This organization has no {provider} credential.")
        warnings.append(f"No {provider} credential in this organization: {name} runs on the offline local model.")
        provider = "local"
    model, voice = PROVIDER_DEFAULTS[provider]
    return _local_speed(AgentSpec(
        agent_id=agent_id, name=name, instructions=instructions, provider=provider,  # type: ignore[arg-type]
        model=model, voice=voice, api_key=credential.api_key if credential else None,
        base_url=(credential.base_url or None) if credential else None))


def room_plan_for_agentscope(*, organization_id: int, config: dict[str, Any], user_name: str, room_name: str) -> RoomPlan:
    """The ``config`` of ``client_session_create`` from AgentScope's pages, or ours (``agent`` /
    ``room_config`` slugs)."""
    org = Organization.objects.get(pk=organization_id)
    variables = _variables(room_name, user_name, user_name, {}, "")
    if config.get("room_config"):
        from rooms.models import RoomConfig

        room_config = RoomConfig.objects.filter(organization=org, slug=str(config["room_config"])).first()
        if room_config is None:
            raise DispatchError("unknown_room_config", f"No room config {config['room_config']!r}.")
        plan = room_plan_for_join(organization_id=organization_id, room_name=room_config.slug,
                                  token_room_config={}, identity=user_name)
        return replace(plan, opening_prompt=OPENING_PROMPT if len(plan.specs) > 1 else "")
    if config.get("agent"):
        agent = agent_by_slug(org, str(config["agent"]))
        if agent is None:
            raise DispatchError("unknown_agent", f"No agent named {config['agent']!r}.")
        return RoomPlan(RoomSettings(), [_spec(agent, variables)])
    provider = str(config.get("model_provider") or "dashscope")
    warnings: list[str] = []
    if isinstance(config.get("agents"), list):
        return _plan_for_agent_list(org, config, provider, variables, warnings)
    if config.get("agent1_name") or config.get("agent1_instructions"):
        specs = [
            _adhoc_spec(org, agent_id=f"agent{n}", name=str(config.get(f"agent{n}_name") or f"Agent {n}"),
                        instructions=str(config.get(f"agent{n}_instructions") or ""), provider=provider,
                        warnings=warnings)
            for n in (1, 2)
        ]
        return RoomPlan(RoomSettings(floor_policy="free"), specs, warnings[:1], OPENING_PROMPT)
    name = str(config.get("agent_name") or "Friday")
    spec = _adhoc_spec(org, agent_id=re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-") or "agent",
                       name=name, instructions=str(config.get("instructions") or ""), provider=provider,
                       warnings=warnings)
    return RoomPlan(RoomSettings(), [spec], warnings)


def agent_spec_by_slug(*, organization_id: int, slug: str, room_name: str) -> AgentSpec | None:
    """The target of a handoff (``transfer_to_agent``), or None when the organization has no such agent."""
    agent = agent_by_slug(Organization.objects.get(pk=organization_id), slug)
    if agent is None:
        return None
    return _spec(agent, _variables(room_name, "", "", {}, ""))


MAX_ADHOC_AGENTS = 6


def _plan_for_agent_list(org: Organization, config: dict[str, Any], provider: str, variables: dict[str, Any],
                         warnings: list[str]) -> RoomPlan:
    """Our web app's shape: ``{"agents": [{"agent": slug} | {"agent_name", "instructions",
    "model_provider"}, ...], "floor_policy": ...}``; two or more agents open the conversation."""
    entries = config["agents"]
    if not entries or len(entries) > MAX_ADHOC_AGENTS:
        raise DispatchError("invalid_field", f"agents: give 1 to {MAX_ADHOC_AGENTS} agents.")
    specs: list[AgentSpec] = []
    for n, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise DispatchError("invalid_field", f"agents[{n - 1}] must be an object.")
        if entry.get("agent"):
            agent = agent_by_slug(org, str(entry["agent"]))
            if agent is None:
                raise DispatchError("unknown_agent", f"No agent named {entry['agent']!r}.")
            spec = _spec(agent, variables)
        else:
            spec = _adhoc_spec(org, agent_id=f"agent{n}", name=str(entry.get("agent_name") or f"Agent {n}"),
                               instructions=str(entry.get("instructions") or ""),
                               provider=str(entry.get("model_provider") or provider), warnings=warnings)
        if spec.agent_id in {s.agent_id for s in specs}:
            spec = replace(spec, agent_id=f"{spec.agent_id}-{n}")
        specs.append(spec)
    policy = str(config.get("floor_policy") or "free")
    if policy not in ("free", "round_robin", "addressed"):
        raise DispatchError("invalid_field", "floor_policy must be free, round_robin or addressed.")
    return RoomPlan(RoomSettings(floor_policy=policy), specs, warnings, OPENING_PROMPT if len(specs) > 1 else "")
