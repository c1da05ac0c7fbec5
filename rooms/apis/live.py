"""Live rooms over REST: list them, and send data, metadata, removals and ends to a room wherever it
is hosted (through the channel layer)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.actors import request_actor
from api.errors import ApiError
from rooms.live_queries import get_room_for_actor, live_rooms_for_actor
from rooms.models import Room
from rooms.services import commands


class RoomOutputSerializer(serializers.Serializer):
    sid = serializers.CharField()
    name = serializers.CharField()
    metadata = serializers.CharField()
    status = serializers.CharField()
    people = serializers.IntegerField()
    agents = serializers.IntegerField(source="agents_count")
    created = serializers.DateTimeField()
    duration_seconds = serializers.SerializerMethodField()

    def get_duration_seconds(self, room: Room) -> float:
        return round(((room.ended or timezone.now()) - room.created).total_seconds(), 1)


class RoomListApi(APIView):
    @extend_schema(responses=RoomOutputSerializer(many=True), operation_id="rooms_list")
    def get(self, request: Request) -> Response:
        rooms = live_rooms_for_actor(request_actor(request))
        return Response(RoomOutputSerializer(rooms, many=True).data)


class RoomCommandApi(APIView):
    """POST a command to a live room; subclasses name the input and the command."""

    InputSerializer: type[serializers.Serializer] | None = None

    def command(self, room: Room, data: dict[str, Any]) -> None:
        raise NotImplementedError

    def post(self, request: Request, sid: str) -> Response:
        actor = request_actor(request)
        actor.require_write()
        room = get_room_for_actor(actor, sid)
        data: dict[str, Any] = {}
        if self.InputSerializer is not None:
            serializer = self.InputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
        try:
            self.command(room, data)
        except commands.RoomNotLive:
            raise ApiError("room_not_live", "The room has ended.", status.HTTP_409_CONFLICT) from None
        except commands.PayloadTooLarge as exc:
            raise ApiError("payload_too_large", str(exc), status.HTTP_413_REQUEST_ENTITY_TOO_LARGE) from None
        return Response(status=status.HTTP_202_ACCEPTED)


class RoomDataInputSerializer(serializers.Serializer):
    payload = serializers.CharField(trim_whitespace=False)
    topic = serializers.CharField(required=False, allow_blank=True, default="")
    destination_identities = serializers.ListField(child=serializers.CharField(), required=False, default=list)


class RoomMetadataInputSerializer(serializers.Serializer):
    metadata = serializers.CharField(allow_blank=True, trim_whitespace=False)


class RoomRemoveParticipantInputSerializer(serializers.Serializer):
    identity = serializers.CharField()


@extend_schema_view(post=extend_schema(request=RoomDataInputSerializer, responses={202: None}, operation_id="rooms_send_data"))
class RoomDataApi(RoomCommandApi):
    InputSerializer = RoomDataInputSerializer

    def command(self, room: Room, data: dict[str, Any]) -> None:
        commands.room_send_data(room=room, sender="server", **data)


@extend_schema_view(post=extend_schema(request=RoomMetadataInputSerializer, responses={202: None}, operation_id="rooms_update_metadata"))
class RoomMetadataApi(RoomCommandApi):
    InputSerializer = RoomMetadataInputSerializer

    def command(self, room: Room, data: dict[str, Any]) -> None:
        commands.room_set_metadata(room=room, metadata=data["metadata"])


@extend_schema_view(post=extend_schema(request=RoomRemoveParticipantInputSerializer, responses={202: None},
               operation_id="rooms_remove_participant"))
class RoomRemoveParticipantApi(RoomCommandApi):
    InputSerializer = RoomRemoveParticipantInputSerializer

    def command(self, room: Room, data: dict[str, Any]) -> None:
        commands.room_remove_participant(room=room, identity=data["identity"])


@extend_schema_view(post=extend_schema(request=None, responses={202: None}, operation_id="rooms_end"))
class RoomEndApi(RoomCommandApi):
    def command(self, room: Room, data: dict[str, Any]) -> None:
        commands.room_end(room=room)
