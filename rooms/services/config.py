"""Writes to room configs (the live room services are in ``rooms.services.live``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from agents.models import Agent
from agents.services.common import assign, model_delete, model_save
from rooms.models import RoomConfig, RoomConfigAgent
from tenancy.models import Organization

ROOM_CONFIG_FIELDS = frozenset(
    {
        "name", "slug", "floor_policy", "max_participants", "empty_timeout", "departure_timeout",
        "metadata", "record_transcripts", "webhook_urls", "client_settable_fields",
    }
)  # fmt: skip


@transaction.atomic
def room_config_create(*, organization: Organization, agents: Sequence[Agent] = (), **fields: Any) -> RoomConfig:
    room_config = RoomConfig(organization=organization)
    assign(room_config, fields, ROOM_CONFIG_FIELDS)
    model_save(room_config)
    room_config_agents_set(room_config=room_config, agents=agents)
    return room_config


@transaction.atomic
def room_config_update(*, room_config: RoomConfig, agents: Sequence[Agent] | None = None, **fields: Any) -> RoomConfig:
    assign(room_config, fields, ROOM_CONFIG_FIELDS)
    model_save(room_config)
    if agents is not None:
        room_config_agents_set(room_config=room_config, agents=agents)
    return room_config


@transaction.atomic
def room_config_agents_set(*, room_config: RoomConfig, agents: Sequence[Agent]) -> None:
    """Replace the config's agents with ``agents``, in dispatch order."""
    seen: set[int] = set()
    for agent in agents:
        if agent.organization_id != room_config.organization_id:
            raise ValidationError({"agents": f"{agent.slug} belongs to another organization."}, code="invalid")
        if agent.pk in seen:
            raise ValidationError({"agents": f"{agent.slug} is listed twice."}, code="invalid")
        seen.add(agent.pk)
    RoomConfigAgent.objects.filter(room_config=room_config).delete()
    RoomConfigAgent.objects.bulk_create(
        RoomConfigAgent(room_config=room_config, agent=agent, position=position) for position, agent in enumerate(agents)
    )


@transaction.atomic
def room_config_delete(*, room_config: RoomConfig) -> None:
    model_delete(room_config)
