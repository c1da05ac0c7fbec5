from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers

from agents.apis.common import ConfigDetailApi, ConfigListApi, document
from agents.models import Tool, ToolKind
from agents.models.tools import HTTP_METHODS, MAX_HTTP_TIMEOUT_S
from agents.selectors import get_tool_for_actor, tools_for_actor
from agents.services.tools import tool_create, tool_delete, tool_update
from tenancy.access import Actor


class ToolInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=64, help_text="The function name the model sees: ^[a-zA-Z0-9_-]{1,64}$.")
    description = serializers.CharField(required=False, allow_blank=True)
    parameters = serializers.JSONField(required=False, help_text='JSON Schema of the arguments ("type": "object").')
    kind = serializers.ChoiceField(choices=ToolKind.choices)
    python_function = serializers.CharField(required=False, allow_blank=True, help_text="kind=python: registry name.")
    url = serializers.CharField(required=False, allow_blank=True, max_length=2000, help_text="kind=http.")
    method = serializers.ChoiceField(choices=HTTP_METHODS, required=False)
    headers = serializers.DictField(child=serializers.CharField(), required=False, help_text="Plain headers.")
    secret_headers = serializers.DictField(
        child=serializers.CharField(),
        required=False,
        write_only=True,
        help_text="Headers encrypted at rest and never returned; omit to keep, {} to remove.",
    )
    timeout_s = serializers.FloatField(required=False, min_value=0.1, max_value=MAX_HTTP_TIMEOUT_S)


class ToolOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    parameters = serializers.JSONField()
    kind = serializers.CharField()
    python_function = serializers.CharField()
    url = serializers.CharField()
    method = serializers.CharField()
    headers = serializers.DictField(child=serializers.CharField())
    secret_header_names = serializers.SerializerMethodField()
    timeout_s = serializers.FloatField()
    created = serializers.DateTimeField()
    updated = serializers.DateTimeField()

    def get_secret_header_names(self, obj: Tool) -> list[str]:
        return sorted(obj.secret_header_values)


@document("tools", ToolInputSerializer, ToolOutputSerializer, detail=False)
class ToolListApi(ConfigListApi[Tool]):
    InputSerializer = ToolInputSerializer
    OutputSerializer = ToolOutputSerializer

    def queryset_for(self, actor: Actor) -> QuerySet[Tool]:
        return tools_for_actor(actor)

    def create_object(self, actor: Actor, data: dict[str, Any]) -> Tool:
        return tool_create(organization=actor.organization, **data)


@document("tools", ToolInputSerializer, ToolOutputSerializer, detail=True, ref_description="The tool's id or name.")
class ToolDetailApi(ConfigDetailApi[Tool]):
    InputSerializer = ToolInputSerializer
    OutputSerializer = ToolOutputSerializer

    def object_for(self, actor: Actor, ref: str) -> Tool:
        return get_tool_for_actor(actor, ref)

    def update_object(self, obj: Tool, data: dict[str, Any]) -> Tool:
        return tool_update(tool=obj, **data)

    def delete_object(self, obj: Tool) -> None:
        tool_delete(tool=obj)
