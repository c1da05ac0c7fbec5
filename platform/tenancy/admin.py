from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from tenancy.access import organizations_admin_for
from tenancy.admin_scoping import OrganizationScopedAdmin
from tenancy.models import ApiKey, Membership, Organization
from tenancy.services import api_key_create, api_key_revoke


@admin.register(Organization)
class OrganizationAdmin(OrganizationScopedAdmin[Organization]):
    list_display = ("slug", "name", "created")
    search_fields = ("slug", "name")
    organization_path = "pk"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organization]:
        qs = Organization.objects.all()
        if request.user.is_superuser:
            return qs
        return qs.filter(pk__in=organizations_admin_for(request.user))

    def _org_id_of(self, obj: Organization) -> int | None:
        return int(obj.pk)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_delete_permission(self, request: HttpRequest, obj: Organization | None = None) -> bool:
        return bool(request.user.is_superuser)


@admin.register(Membership)
class MembershipAdmin(OrganizationScopedAdmin[Membership]):
    list_display = ("user", "organization", "role", "created")
    list_filter = ("role",)
    list_select_related = ("user", "organization")
    search_fields = ("user__username", "organization__slug")
    raw_id_fields = ("user",)


class ApiKeyForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ("organization", "label")


@admin.register(ApiKey)
class ApiKeyAdmin(OrganizationScopedAdmin[ApiKey]):
    form = ApiKeyForm
    list_display = ("key_id", "organization", "label", "created", "last_used", "revoked")
    list_filter = ("revoked",)
    list_select_related = ("organization",)
    search_fields = ("key_id", "label", "organization__slug")
    readonly_fields = ("key_id", "created", "last_used", "revoked")
    actions = ("revoke",)

    def get_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> Any:
        if obj is None:
            return ["organization", "label"]
        return ["organization", "key_id", "label", "created", "last_used", "revoked"]

    def get_readonly_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> Any:
        # A new key's form has only organization and label, and both must stay editable there.
        return super().get_readonly_fields(request, obj) if obj else ()

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        if change:
            ApiKey.objects.filter(pk=obj.pk).update(label=obj.label)
            return
        issued = api_key_create(organization=obj.organization, label=obj.label)
        obj.pk = issued.api_key.pk
        obj.key_id = issued.api_key.key_id
        # The secret is shown once, here, and can never be displayed again.
        messages.warning(
            request,
            f"API key {issued.api_key.key_id} created. Secret: {issued.secret} — copy it now, it will not be shown again.",
        )

    @admin.action(description="Revoke selected API keys")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        for api_key in queryset.filter(organization__in=self._writable_org_ids(request)) if not request.user.is_superuser else queryset:
            api_key_revoke(api_key=api_key)
        messages.success(request, "Revoked.")
