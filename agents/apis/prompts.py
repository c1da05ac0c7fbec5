from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from agents.apis.common import ConfigDetailApi, ConfigListApi, document, service_errors
from agents.models import Prompt, PromptVersion
from agents.selectors import get_prompt_for_actor, prompt_versions, prompts_for_actor
from agents.services.prompts import prompt_create, prompt_delete, prompt_update, prompt_version_create
from api.actors import request_actor
from tenancy.access import Actor


class PromptInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    text = serializers.CharField(
        trim_whitespace=False, help_text="A template; a changed text becomes the prompt's next version."
    )


class PromptOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    text = serializers.CharField(help_text="The active (newest) version's text.")
    version = serializers.SerializerMethodField(help_text="The active version's number.")
    created = serializers.DateTimeField()
    updated = serializers.DateTimeField()

    def get_version(self, obj: Prompt) -> int | None:
        active = obj.active_version
        return active.number if active else None


class PromptVersionInputSerializer(serializers.Serializer):
    text = serializers.CharField(trim_whitespace=False)


class PromptVersionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    text = serializers.CharField()
    created = serializers.DateTimeField()


@document("prompts", PromptInputSerializer, PromptOutputSerializer, detail=False)
class PromptListApi(ConfigListApi[Prompt]):
    InputSerializer = PromptInputSerializer
    OutputSerializer = PromptOutputSerializer

    def queryset_for(self, actor: Actor) -> QuerySet[Prompt]:
        return prompts_for_actor(actor)

    def create_object(self, actor: Actor, data: dict[str, Any]) -> Prompt:
        return prompt_create(organization=actor.organization, **data)


@document("prompts", PromptInputSerializer, PromptOutputSerializer, detail=True)
class PromptDetailApi(ConfigDetailApi[Prompt]):
    InputSerializer = PromptInputSerializer
    OutputSerializer = PromptOutputSerializer

    def object_for(self, actor: Actor, ref: str) -> Prompt:
        return get_prompt_for_actor(actor, ref)

    def update_object(self, obj: Prompt, data: dict[str, Any]) -> Prompt:
        return prompt_update(prompt=obj, **data)

    def delete_object(self, obj: Prompt) -> None:
        prompt_delete(prompt=obj)


_prompt_ref = OpenApiParameter("ref", str, OpenApiParameter.PATH, description="The prompt's id.")


class PromptVersionListApi(generics.GenericAPIView):
    """A prompt's versions, newest first; POST adds a version (a no-op when the text is unchanged)."""

    serializer_class = PromptVersionOutputSerializer

    def get_queryset(self) -> QuerySet[PromptVersion]:
        return prompt_versions(get_prompt_for_actor(request_actor(self.request), self.kwargs["ref"]))

    @extend_schema(tags=["prompts"], parameters=[_prompt_ref], responses=PromptVersionOutputSerializer(many=True))
    def get(self, request: Request, ref: str) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        data = PromptVersionOutputSerializer(page, many=True).data
        return self.get_paginated_response(data)

    @extend_schema(
        tags=["prompts"],
        parameters=[_prompt_ref],
        request=PromptVersionInputSerializer,
        responses={201: PromptVersionOutputSerializer},
    )
    def post(self, request: Request, ref: str) -> Response:
        actor = request_actor(request)
        prompt = get_prompt_for_actor(actor, ref)
        actor.require_write()
        incoming = PromptVersionInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        with service_errors():
            version = prompt_version_create(prompt=prompt, text=incoming.validated_data["text"])
        return Response(PromptVersionOutputSerializer(version).data, status=201)
