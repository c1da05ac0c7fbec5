"""REST: sessions and their transcripts, scoped to the caller's organization (read-only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpResponse
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import renderers, serializers
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.actors import request_actor
from api.errors import ApiError
from rooms.models import Session
from rooms.records.queries import (
    get_session_for_actor,
    sessions_for_actor,
    transcript_entry_data,
    transcript_for_session,
    transcript_text,
)


class PlainTextRenderer(renderers.BaseRenderer):
    media_type = "text/plain"
    format = "txt"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if isinstance(data, dict) and "error" in data:
            return f"{data['error']['code']}: {data['error']['message']}\n".encode()
        return str(data).encode()


class SessionOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    room = serializers.CharField(source="room.name")
    room_sid = serializers.CharField(source="room.sid")
    started = serializers.DateTimeField()
    ended = serializers.DateTimeField(allow_null=True)
    end_reason = serializers.CharField()
    duration_seconds = serializers.FloatField(allow_null=True)
    agents = serializers.JSONField()


class SessionDetailSerializer(SessionOutputSerializer):
    metrics = serializers.JSONField()
    report = serializers.JSONField()


class TranscriptEntrySerializer(serializers.Serializer):
    item_id = serializers.CharField()
    seq = serializers.IntegerField()
    role = serializers.CharField()
    speaker = serializers.CharField()
    agent = serializers.CharField()
    text = serializers.CharField()
    started_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)
    tool = serializers.JSONField(allow_null=True)


def _since(request: Request) -> datetime | None:
    raw = request.query_params.get("since")
    if not raw:
        return None
    value = parse_datetime(raw)
    if value is None or value.tzinfo is None:
        raise ApiError("invalid_since", "since must be an ISO-8601 date-time with a UTC offset.", 400,
                       {"since": ["Use e.g. 2026-01-01T00:00:00Z."]})
    return value


class SessionListApi(APIView):
    @extend_schema(operation_id="sessions_list", responses=SessionOutputSerializer(many=True), parameters=[
        OpenApiParameter("room", str, description="room name or sid"),
        OpenApiParameter("agent", str, description="agent slug"),
        OpenApiParameter("since", OpenApiTypes.DATETIME, description="sessions started at or after"),
    ])
    def get(self, request: Request) -> Response:
        qs = sessions_for_actor(request_actor(request), room=request.query_params.get("room", ""),
                                agent=request.query_params.get("agent", ""), since=_since(request))
        paginator = LimitOffsetPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(SessionOutputSerializer(page, many=True).data)


class SessionDetailApi(APIView):
    @extend_schema(operation_id="sessions_retrieve", responses=SessionDetailSerializer)
    def get(self, request: Request, public_id: str) -> Response:
        session = get_session_for_actor(request_actor(request), public_id)
        return Response(SessionDetailSerializer(session).data)


def _text_download(session: Session) -> HttpResponse:
    response = HttpResponse(transcript_text(session), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="transcript-{session.public_id}.txt"'
    return response


class SessionTranscriptApi(APIView):
    """JSON by default; ``?format=txt`` (or ``transcript.txt``) downloads plain text."""

    renderer_classes = [renderers.JSONRenderer, PlainTextRenderer]

    @extend_schema(operation_id="sessions_transcript", responses=TranscriptEntrySerializer(many=True))
    def get(self, request: Request, public_id: str, as_text: bool = False) -> Response | HttpResponse:
        session = get_session_for_actor(request_actor(request), public_id)
        if as_text or request.accepted_renderer.format == "txt":
            return _text_download(session)
        entries = [transcript_entry_data(e) for e in transcript_for_session(session)]
        return Response({"session": str(session.public_id), "entries": entries})


class SessionTranscriptTextApi(SessionTranscriptApi):
    """The same transcript as a plain-text download (``transcript.txt``)."""

    @extend_schema(operation_id="sessions_transcript_text", responses={(200, "text/plain"): str})
    def get(self, request: Request, public_id: str, as_text: bool = True) -> Response | HttpResponse:
        return super().get(request, public_id, as_text=True)
