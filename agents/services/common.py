from __future__ import annotations

from typing import Any

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
