from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers

from agents.apis.common import ConfigDetailApi, ConfigListApi, ScopedRelatedField, document
from agents.models import Agent, Prompt, PromptVersion, ProviderCredential, Tool, TurnDetectionMode
from agents.models.credentials import Provider
from agents.selectors import agent_tools, agents_for_actor, get_agent_for_actor
from agents.services.agents import agent_create, agent_delete, agent_update
from tenancy.access import Actor


class AgentInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    slug = serializers.CharField(max_length=63)
    prompt = ScopedRelatedField(queryset=Prompt.objects.all(), required=False, allow_null=True)
    prompt_version = ScopedRelatedField(
        queryset=PromptVersion.objects.all(),
        organization_path="prompt__organization",
        required=False,
        allow_null=True,
        help_text="Pin a version of the prompt; null follows the newest.",
    )
    tools = ScopedRelatedField(queryset=Tool.objects.all(), many=True, required=False, help_text="In order.")
    provider = serializers.ChoiceField(choices=Provider.choices, required=False)
    model = serializers.CharField(required=False, allow_blank=True, max_length=200)
    voice = serializers.CharField(required=False, allow_blank=True, max_length=100)
    credential = ScopedRelatedField(queryset=ProviderCredential.objects.all(), required=False, allow_null=True)
    turn_detection = serializers.ChoiceField(choices=TurnDetectionMode.choices, required=False)
    vad_threshold = serializers.FloatField(required=False)
    vad_prefix_padding_ms = serializers.IntegerField(required=False)
    vad_silence_duration_ms = serializers.IntegerField(required=False)
    input_transcription = serializers.BooleanField(required=False)
    temperature = serializers.FloatField(required=False, allow_null=True)
    max_output_tokens = serializers.IntegerField(required=False, allow_null=True)
    greeting = serializers.CharField(required=False, allow_blank=True)
    max_tool_steps = serializers.IntegerField(required=False)
    tool_timeout_s = serializers.FloatField(required=False)
    is_default = serializers.BooleanField(required=False)


class AgentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    prompt = serializers.IntegerField(source="prompt_id", allow_null=True)
    prompt_version = serializers.IntegerField(source="prompt_version_id", allow_null=True)
    tools = serializers.SerializerMethodField()
    provider = serializers.CharField()
    model = serializers.CharField()
    voice = serializers.CharField()
    credential = serializers.IntegerField(source="credential_id", allow_null=True)
    turn_detection = serializers.CharField()
    vad_threshold = serializers.FloatField()
    vad_prefix_padding_ms = serializers.IntegerField()
    vad_silence_duration_ms = serializers.IntegerField()
    input_transcription = serializers.BooleanField()
    temperature = serializers.FloatField(allow_null=True)
    max_output_tokens = serializers.IntegerField(allow_null=True)
    greeting = serializers.CharField()
    max_tool_steps = serializers.IntegerField()
    tool_timeout_s = serializers.FloatField()
    is_default = serializers.BooleanField()
    created = serializers.DateTimeField()
    updated = serializers.DateTimeField()

    def get_tools(self, obj: Agent) -> list[int]:
        return [tool.pk for tool in agent_tools(obj)]


@document("agents", AgentInputSerializer, AgentOutputSerializer, detail=False)
class AgentListApi(ConfigListApi[Agent]):
    InputSerializer = AgentInputSerializer
    OutputSerializer = AgentOutputSerializer

    def queryset_for(self, actor: Actor) -> QuerySet[Agent]:
        return agents_for_actor(actor)

    def create_object(self, actor: Actor, data: dict[str, Any]) -> Agent:
        return agent_create(organization=actor.organization, **data)


@document("agents", AgentInputSerializer, AgentOutputSerializer, detail=True, ref_description="The agent's id or slug.")
class AgentDetailApi(ConfigDetailApi[Agent]):
    InputSerializer = AgentInputSerializer
    OutputSerializer = AgentOutputSerializer

    def object_for(self, actor: Actor, ref: str) -> Agent:
        return get_agent_for_actor(actor, ref)

    def update_object(self, obj: Agent, data: dict[str, Any]) -> Agent:
        return agent_update(agent=obj, **data)

    def delete_object(self, obj: Agent) -> None:
        agent_delete(agent=obj)
