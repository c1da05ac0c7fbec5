"""Live rooms in the admin console: read-only records, and an action that ends a room wherever it runs."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from rooms.models import Participant, Room, RoomStatus
from rooms.services import commands
from tenancy.admin_scoping import OrganizationScopedAdmin


class ParticipantInline(admin.TabularInline):
    model = Participant
    fields = ("identity", "name", "kind", "joined", "left", "disconnect_reason")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Room)
class RoomAdmin(OrganizationScopedAdmin[Room]):
    list_display = ("name", "sid", "organization", "status", "created", "ended", "end_reason", "host")
    list_filter = ("status", "end_reason")
    list_select_related = ("organization",)
    search_fields = ("name", "sid")
    inlines = (ParticipantInline,)
    actions = ("end_rooms",)
    readonly_fields = ("organization", "room_config", "sid", "name", "metadata", "floor_policy", "max_participants",
                       "empty_timeout", "departure_timeout", "record_transcripts", "status", "host", "heartbeat",
                       "created", "ended", "end_reason")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Room | None = None) -> bool:
        return False

    @admin.action(description="End selected rooms")
    def end_rooms(self, request: HttpRequest, queryset: QuerySet[Room]) -> None:
        if not request.user.is_superuser:
            queryset = queryset.filter(organization__in=self._writable_org_ids(request))
        ended = 0
        for room in queryset.filter(status=RoomStatus.ACTIVE):
            commands.room_end(room=room)
            ended += 1
        messages.success(request, f"Asked {ended} room(s) to end.")
