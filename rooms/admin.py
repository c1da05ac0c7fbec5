"""Admin console for room configs, scoped to the staff user's organizations."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from rooms.models import RoomConfig, RoomConfigAgent
from tenancy.admin_scoping import OrganizationScopedAdmin, OrganizationScopedInline


class RoomConfigAgentInline(OrganizationScopedInline):
    model = RoomConfigAgent
    fields = ("position", "agent")
    extra = 1
    ordering = ("position", "pk")
    verbose_name_plural = "Agents (dispatched into each room, in this order)"


@admin.register(RoomConfig)
class RoomConfigAdmin(OrganizationScopedAdmin[RoomConfig]):
    inlines = (RoomConfigAgentInline,)
    list_display = ("name", "slug", "organization", "floor_policy", "max_participants", "record_transcripts")
    list_filter = ("floor_policy", "record_transcripts", "organization")
    list_select_related = ("organization",)
    search_fields = ("name", "slug", "metadata")
    fieldsets = (
        (None, {"fields": ("organization", "name", "slug", "metadata")}),
        ("Conversation", {"fields": ("floor_policy", "max_participants", "empty_timeout", "departure_timeout")}),
        ("Records and callbacks", {"fields": ("record_transcripts", "webhook_urls")}),
        ("Token endpoint", {"fields": ("client_settable_fields",)}),
    )
    actions = ("issue_test_token",)

    @admin.action(description="Issue a test token (1 hour) for the selected room config", permissions=["change"])
    def issue_test_token(self, request: HttpRequest, queryset: QuerySet[RoomConfig]) -> None:
        from rooms.grants.services import token_issue_for_room_config
        from rooms.grants.token_request import TokenRequestError

        if not request.user.is_superuser:
            queryset = queryset.filter(organization__in=self._writable_org_ids(request))
        for room_config in queryset:
            identity = f"admin-{request.user.get_username()}"
            try:
                token = token_issue_for_room_config(room_config=room_config, identity=identity, ttl_seconds=3600)
            except TokenRequestError as exc:  # e.g. no active API key to sign with
                messages.error(request, f"{room_config.slug}: {exc}")
                continue
            messages.success(request, f"Test token for room {room_config.slug} as {identity}: {token}")
from rooms import admin_live  # noqa: E402,F401  (live rooms)
