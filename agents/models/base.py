from __future__ import annotations

from collections.abc import Collection

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models


class OrganizationUnique(models.Model):
    """Reports "(organization, field) already exists" on the field, so forms and the API show it there."""

    class Meta:
        abstract = True

    def validate_constraints(self, exclude: Collection[str] | None = None) -> None:
        try:
            super().validate_constraints(exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict({})
            for error in errors.pop(NON_FIELD_ERRORS, []):
                field = _organization_unique_field(error)
                if field is None:
                    errors.setdefault(NON_FIELD_ERRORS, []).append(error)
                    continue
                label = getattr(self._meta.get_field(field), "verbose_name", field)
                message = f"This organization already has a {self._meta.verbose_name} with this {label}."
                errors.setdefault(field, []).append(ValidationError(message, code="unique"))
            raise ValidationError(errors) from None


def _organization_unique_field(error: ValidationError) -> str | None:
    check = (getattr(error, "params", None) or {}).get("unique_check") or ()
    others = [f for f in check if f != "organization"]
    if getattr(error, "code", None) == "unique_together" and len(check) == 2 and len(others) == 1:
        return others[0]
    return None
