"""Admin base classes that scope every page to the organizations a staff user belongs to.

Superusers see everything. A staff user sees the objects of organizations where they are a
member, and may change them only with a write role (owner or admin). Permissions come from
membership roles rather than Django's per-model permissions, so adding a member is enough.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from django.contrib import admin
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import ForeignKey
from django.forms import ModelChoiceField
from django.http import HttpRequest

from tenancy.access import organizations_admin_for
from tenancy.models import Organization

M = TypeVar("M", bound=models.Model)


class OrganizationScopedAdmin(admin.ModelAdmin, Generic[M]):
    #: path from the model to its organization, for models that reach it through a relation
    organization_path = "organization"
    # A URL typed without a scheme (webhooks, tools, base URLs) means https, as Django 6 will assume.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def _visible_org_ids(self, request: HttpRequest) -> list[int]:
        return organizations_admin_for(request.user)

    def _writable_org_ids(self, request: HttpRequest) -> list[int]:
        return organizations_admin_for(request.user, write=True)

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[M]:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(**{f"{self.organization_path}__in": self._visible_org_ids(request)})

    def _org_id_of(self, obj: M) -> int | None:
        target: Any = obj
        for part in self.organization_path.split("__"):
            target = getattr(target, part, None)
            if target is None:
                return None
        return int(target.pk)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    def get_list_filter(self, request: HttpRequest) -> Any:
        # Django's default filter for a relation offers every row of the related table, so an
        # "organization" filter would name every tenant (and any other relation every tenant's
        # objects); RelatedOnlyFieldListFilter offers only values found in this page's scoped queryset.
        return [
            (entry, admin.RelatedOnlyFieldListFilter) if self._is_relation_path(entry) else entry
            for entry in super().get_list_filter(request)
        ]

    def _is_relation_path(self, entry: Any) -> bool:
        if not isinstance(entry, str):
            return False  # a (field, FilterClass) pair or a SimpleListFilter chose its own choices
        try:
            return bool(get_fields_from_path(self.model, entry)[-1].is_relation)
        except (FieldDoesNotExist, NotRelationField):
            return False

    def get_readonly_fields(self, request: HttpRequest, obj: M | None = None) -> Any:
        fields = tuple(super().get_readonly_fields(request, obj))
        # Moving an existing object to another organization would leave the old organization's links
        # (agent tools, room config agents, hooks) pointing at an object, and its secrets, it no longer owns.
        if obj is not None and self._has_organization_field() and "organization" not in fields:
            fields = (*fields, "organization")
        return fields

    def _has_organization_field(self) -> bool:
        try:
            self.model._meta.get_field("organization")
        except FieldDoesNotExist:
            return False
        return True

    def has_view_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        if not self.has_module_permission(request):
            return False
        if request.user.is_superuser:
            return True
        visible = self._visible_org_ids(request)
        return bool(visible) if obj is None else self._org_id_of(obj) in visible

    def has_change_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        if not self.has_module_permission(request):
            return False
        if request.user.is_superuser:
            return True
        writable = self._writable_org_ids(request)
        return bool(writable) if obj is None else self._org_id_of(obj) in writable

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_change_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        return self.has_change_permission(request, obj)

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        # Offer only the user's own organizations, and only their objects for tenant-owned targets.
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is None or field.queryset is None or request.user.is_superuser:
            return field
        writable = self._writable_org_ids(request)
        related = db_field.related_model
        if related is Organization:
            field.queryset = field.queryset.filter(pk__in=writable)
        elif hasattr(related, "organization"):
            field.queryset = field.queryset.filter(organization__in=writable)
        return field

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is None or field.queryset is None or request.user.is_superuser:
            return field
        if hasattr(db_field.related_model, "organization"):
            field.queryset = field.queryset.filter(organization__in=self._writable_org_ids(request))
        return field


class OrganizationScopedInline(admin.TabularInline):
    """Inlines follow the permissions of their parent page, and offer only the user's own objects."""

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if (field is not None and field.queryset is not None and not request.user.is_superuser
                and hasattr(db_field.related_model, "organization")):
            field.queryset = field.queryset.filter(organization__in=organizations_admin_for(request.user, write=True))
        return field

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_staff)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser or organizations_admin_for(request.user, write=True))

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_change_permission(request, obj)
