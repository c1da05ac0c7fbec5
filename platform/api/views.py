from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.actors import request_actor


class OrganizationCurrentApi(APIView):
    """The organization the caller acts for, and their role in it."""

    class OutputSerializer(serializers.Serializer):
        slug = serializers.CharField()
        name = serializers.CharField()
        role = serializers.CharField()
        actor = serializers.CharField()

    @extend_schema(responses=OutputSerializer, operation_id="organization_current")
    def get(self, request: Request) -> Response:
        actor = request_actor(request)
        data = {"slug": actor.organization.slug, "name": actor.organization.name, "role": actor.role, "actor": actor.identity}
        return Response(self.OutputSerializer(data).data)
