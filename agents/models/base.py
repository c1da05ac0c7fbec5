from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import models


class OrganizationUnique(models.Model):
    """Reports "(organization, field) already exists" on the field, so forms and the API show it there."""

    class Meta:
        abstract = True

    def unique_error_message(self, model_class: type[models.Model], unique_check: Sequence[str]) -> ValidationError:
        others = [f for f in unique_check if f != "organization"]
        if len(unique_check) == 2 and len(others) == 1:
            field = others[0]
            label = getattr(model_class._meta.get_field(field), "verbose_name", field)
            return ValidationError(
                {field: ValidationError(f"This organization already has a {model_class._meta.verbose_name} "
                                        f"with this {label}.", code="unique")}
            )
        return super().unique_error_message(model_class, unique_check)
