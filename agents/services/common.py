from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import ProtectedError


class ObjectInUse(Exception):
    """Deleting would orphan something that uses the object (an agent's prompt, a room's agent)."""

    code = "in_use"

    def __init__(self, obj: models.Model, users: list[str]):
        self.users = users
        super().__init__(f"{obj} is still used by {', '.join(users)}; detach it first.")


def model_save(obj: models.Model, **clean_kwargs: Any) -> None:
    obj.full_clean(**clean_kwargs)
    obj.save()


def model_delete(obj: models.Model) -> None:
    try:
        obj.delete()
    except ProtectedError as exc:
        users = sorted({str(o) for o in exc.protected_objects})[:10]
        raise ObjectInUse(obj, users) from None


def assign(obj: models.Model, fields: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"{type(obj).__name__} has no writable field(s) {sorted(unknown)}")
    for name, value in fields.items():
        setattr(obj, name, value)


def ordered_links_set(*, owner: models.Model, items: Sequence[Any], link_model: type[models.Model],
                      owner_field: str, item_field: str, error_field: str, label: Callable[[Any], str]) -> None:
    """Replace ``owner``'s ordered links (a through model with ``position``) with ``items``, in order.
    Items must belong to the owner's organization and appear once."""
    seen: set[int] = set()
    for item in items:
        if item.organization_id != owner.organization_id:  # type: ignore[attr-defined]
            raise ValidationError({error_field: f"{label(item)} belongs to another organization."}, code="invalid")
        if item.pk in seen:
            raise ValidationError({error_field: f"{label(item)} is listed twice."}, code="invalid")
        seen.add(item.pk)
    link_model._default_manager.filter(**{owner_field: owner}).delete()
    link_model._default_manager.bulk_create(
        link_model(**{owner_field: owner, item_field: item, "position": position})
        for position, item in enumerate(items)
    )
