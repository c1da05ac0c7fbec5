"""Admin: read-only transcripts (searchable, per session), hook configuration, deliveries with "retry now"."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from rooms.records.models import HookDelivery, ShutdownHook, TranscriptEntry, WebhookDelivery
from rooms.records.services.sessions import hook_delivery_retry_now
from rooms.records.services.webhooks import webhook_delivery_retry_now
from tenancy.admin_scoping import OrganizationScopedAdmin


class ReadOnlyScopedAdmin(OrganizationScopedAdmin):
    """Records are written by Celery only; nobody edits them by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(TranscriptEntry)
class TranscriptEntryAdmin(ReadOnlyScopedAdmin):
    list_display = ["session", "position", "role", "speaker", "agent", "text", "started_at"]
    list_filter = ["role"]
    search_fields = ["text", "speaker", "agent", "item_id", "=session__public_id", "room__name"]
    list_select_related = ["session"]
    raw_id_fields = ["organization", "session", "room"]
    ordering = ["-session__started", "position", "seq"]
    show_full_result_count = False


@admin.register(ShutdownHook)
class ShutdownHookAdmin(OrganizationScopedAdmin[ShutdownHook]):
    list_display = ["__str__", "organization", "agent", "room_config", "kind", "order", "max_attempts", "enabled"]
    list_filter = ["kind", "enabled"]
    list_select_related = ["organization", "agent", "room_config"]


class RetryableDeliveryAdmin(OrganizationScopedAdmin):
    """Deliveries are read-only; owners and admins may ask for a retry."""

    actions = ["retry_now"]
    retry_service: Callable[..., None] = staticmethod(hook_delivery_retry_now)

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return super().has_change_permission(request)

    @admin.action(description="Retry now", permissions=["retry"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet) -> None:
        writable = queryset if request.user.is_superuser else queryset.filter(
            organization__in=self._writable_org_ids(request))
        count = 0
        for delivery in writable:
            self.retry_service(delivery=delivery)
            count += 1
        self.message_user(request, f"{count} delivery(ies) queued for a new attempt.", messages.SUCCESS)


@admin.register(HookDelivery)
class HookDeliveryAdmin(RetryableDeliveryAdmin):
    list_display = ["session", "position", "kind", "target", "status", "attempts", "response_code", "finished"]
    list_filter = ["status", "kind"]
    search_fields = ["=session__public_id", "target", "error"]
    list_select_related = ["session"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(RetryableDeliveryAdmin):
    retry_service = staticmethod(webhook_delivery_retry_now)
    list_display = ["room", "seq", "event", "url", "status", "attempts", "response_code", "finished"]
    list_filter = ["status", "event"]
    search_fields = ["room__name", "room__sid", "url", "event_id"]
    list_select_related = ["room"]
