from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers

from agents.apis.common import ConfigDetailApi, ConfigListApi, ScopedRelatedField, document
from agents.models import Agent
from rooms.models import RoomConfig
from rooms.models.config import CLIENT_SETTABLE_FIELDS, FloorPolicy
from rooms.selectors import get_room_config_for_actor, room_config_agents, room_configs_for_actor
from rooms.services.config import room_config_create, room_config_delete, room_config_update
from tenancy.access import Actor


class RoomConfigInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    slug = serializers.CharField(max_length=63, help_text="Rooms whose name equals the slug use this config.")
    agents = ScopedRelatedField(
        queryset=Agent.objects.all(), many=True, required=False, help_text="Agent ids, in dispatch order."
    )
    floor_policy = serializers.ChoiceField(choices=FloorPolicy.choices, required=False)
    max_participants = serializers.IntegerField(required=False, min_value=0, help_text="0 means unlimited.")
    empty_timeout = serializers.IntegerField(required=False, min_value=0)
    departure_timeout = serializers.IntegerField(required=False, min_value=0)
    metadata = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    record_transcripts = serializers.BooleanField(required=False)
    webhook_urls = serializers.ListField(child=serializers.CharField(), required=False)
    client_settable_fields = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text=f"Subset of {', '.join(CLIENT_SETTABLE_FIELDS)}.",
    )


class RoomConfigOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    agents = serializers.SerializerMethodField()
    floor_policy = serializers.CharField()
    max_participants = serializers.IntegerField()
    empty_timeout = serializers.IntegerField()
    departure_timeout = serializers.IntegerField()
    metadata = serializers.CharField()
    record_transcripts = serializers.BooleanField()
    webhook_urls = serializers.ListField(child=serializers.CharField())
    client_settable_fields = serializers.ListField(child=serializers.CharField())
    created = serializers.DateTimeField()
    updated = serializers.DateTimeField()

    def get_agents(self, obj: RoomConfig) -> list[int]:
        return [agent.pk for agent in room_config_agents(obj)]


@document("room-configs", RoomConfigInputSerializer, RoomConfigOutputSerializer, detail=False)
class RoomConfigListApi(ConfigListApi[RoomConfig]):
    InputSerializer = RoomConfigInputSerializer
    OutputSerializer = RoomConfigOutputSerializer

    def queryset_for(self, actor: Actor) -> QuerySet[RoomConfig]:
        return room_configs_for_actor(actor)

    def create_object(self, actor: Actor, data: dict[str, Any]) -> RoomConfig:
        return room_config_create(organization=actor.organization, **data)


@document(
    "room-configs",
    RoomConfigInputSerializer,
    RoomConfigOutputSerializer,
    detail=True,
    ref_description="The room config's id or slug.",
)
class RoomConfigDetailApi(ConfigDetailApi[RoomConfig]):
    InputSerializer = RoomConfigInputSerializer
    OutputSerializer = RoomConfigOutputSerializer

    def object_for(self, actor: Actor, ref: str) -> RoomConfig:
        return get_room_config_for_actor(actor, ref)

    def update_object(self, obj: RoomConfig, data: dict[str, Any]) -> RoomConfig:
        return room_config_update(room_config=obj, **data)

    def delete_object(self, obj: RoomConfig) -> None:
        room_config_delete(room_config=obj)
