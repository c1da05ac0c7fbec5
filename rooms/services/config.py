"""Writes to room configs (the live room services are in ``rooms.services.live``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction

from agents.models import Agent
from agents.services.common import assign, model_delete, model_save, ordered_links_set
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
    ordered_links_set(owner=room_config, items=agents, link_model=RoomConfigAgent, owner_field="room_config",
                      item_field="agent", error_field="agents", label=lambda agent: agent.slug)


@transaction.atomic
def room_config_delete(*, room_config: RoomConfig) -> None:
    model_delete(room_config)
