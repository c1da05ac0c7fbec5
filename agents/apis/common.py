"""Building blocks shared by every configuration endpoint (agents and room configs)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar, Generic, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from agents.services.common import ObjectInUse
from agents.services.credentials import SECRET_REQUIRED
from api.actors import request_actor
from api.errors import ApiError
from tenancy.access import Actor

M = TypeVar("M", bound=models.Model)


# Codes of refusals a client answers by sending more (not a malformed value), so they are the error's
# code rather than the generic "invalid".
ACTIONABLE_CODES = frozenset({SECRET_REQUIRED})


def _actionable_code(exc: DjangoValidationError) -> str | None:
    errors = [e for es in exc.error_dict.values() for e in es] if hasattr(exc, "error_dict") else exc.error_list
    codes = {e.code for e in errors}
    return codes.pop() if len(codes) == 1 and codes <= ACTIONABLE_CODES else None


@contextmanager
def service_errors() -> Iterator[None]:
    """Model validation becomes ``{"error": {"code": "invalid", "fields": ...}}`` (or one of
    ``ACTIONABLE_CODES``); a protected delete a 409."""
    try:
        yield
    except DjangoValidationError as exc:
        if hasattr(exc, "error_dict"):
            detail: Any = {
                ("non_field_errors" if k == NON_FIELD_ERRORS else k): v for k, v in exc.message_dict.items()
            }
        else:
            detail = {"non_field_errors": exc.messages}
        code = _actionable_code(exc)
        if code is not None:
            raise ApiError(code, " ".join(exc.messages), status.HTTP_400_BAD_REQUEST, fields=detail) from None
        raise serializers.ValidationError(detail) from None
    except ObjectInUse as exc:
        raise ApiError(exc.code, str(exc), status.HTTP_409_CONFLICT) from None


class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """Accepts ids of the caller's own objects only; another tenant's id reads as "does not exist"."""

    def __init__(self, *, organization_path: str = "organization", **kwargs: Any):
        self.organization_path = organization_path
        super().__init__(**kwargs)

    def get_queryset(self) -> models.QuerySet[Any]:
        actor = request_actor(self.context["request"])
        queryset = super().get_queryset()
        assert queryset is not None
        return queryset.filter(**{self.organization_path: actor.organization})


class ConfigListApi(generics.ListCreateAPIView, Generic[M]):
    """List the caller's objects; create one through ``create_object``."""

    InputSerializer: ClassVar[type[serializers.Serializer]]
    OutputSerializer: ClassVar[type[serializers.Serializer]]

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return self.OutputSerializer

    def get_queryset(self) -> models.QuerySet[M]:
        return self.queryset_for(request_actor(self.request))

    def queryset_for(self, actor: Actor) -> models.QuerySet[M]:
        raise NotImplementedError

    def create_object(self, actor: Actor, data: dict[str, Any]) -> M:
        raise NotImplementedError

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        actor = request_actor(request)
        actor.require_write()
        incoming = self.InputSerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        with service_errors():
            obj = self.create_object(actor, dict(incoming.validated_data))
        return Response(self.OutputSerializer(obj, context=self.get_serializer_context()).data, status=201)


class ConfigDetailApi(generics.RetrieveUpdateDestroyAPIView, Generic[M]):
    """Read, change (PATCH: only the fields sent) or delete one of the caller's objects."""

    http_method_names = ["get", "patch", "delete", "head", "options"]
    lookup_url_kwarg = "ref"
    InputSerializer: ClassVar[type[serializers.Serializer]]
    OutputSerializer: ClassVar[type[serializers.Serializer]]

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return self.OutputSerializer

    def get_object(self) -> M:
        return self.object_for(request_actor(self.request), self.kwargs["ref"])

    def object_for(self, actor: Actor, ref: str) -> M:
        raise NotImplementedError

    def update_object(self, obj: M, data: dict[str, Any]) -> M:
        raise NotImplementedError

    def delete_object(self, obj: M) -> None:
        raise NotImplementedError

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        obj = self.get_object()
        request_actor(request).require_write()
        incoming = self.InputSerializer(data=request.data, partial=True, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        with service_errors():
            obj = self.update_object(obj, dict(incoming.validated_data))
        return Response(self.OutputSerializer(obj, context=self.get_serializer_context()).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        obj = self.get_object()
        request_actor(request).require_write()
        with service_errors():
            self.delete_object(obj)
        return Response(status=status.HTTP_204_NO_CONTENT)


def document(
    tag: str,
    input_serializer: type[serializers.Serializer],
    output_serializer: type[serializers.Serializer],
    *,
    detail: bool,
    ref_description: str = "The object's id.",
) -> Any:
    """The OpenAPI description of a list or detail view: input and output bodies differ."""
    if detail:
        ref = OpenApiParameter("ref", str, OpenApiParameter.PATH, description=ref_description)
        return extend_schema_view(
            get=extend_schema(tags=[tag], parameters=[ref], responses=output_serializer),
            patch=extend_schema(tags=[tag], parameters=[ref], request=input_serializer, responses=output_serializer),
            delete=extend_schema(tags=[tag], parameters=[ref], responses={204: None}),
        )
    return extend_schema_view(
        get=extend_schema(tags=[tag]),
        post=extend_schema(tags=[tag], request=input_serializer, responses={201: output_serializer}),
    )
