from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.db import connection

from tenancy.models import ApiKey

pytestmark = pytest.mark.django_db


def _raw_secret(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM tenancy_apikey WHERE id = %s", [pk])
        return str(cursor.fetchone()[0])


def test_it_never_stores_the_api_secret_in_plain_text(world):
    key = ApiKey.objects.get(key_id=world.acme_key)
    raw = _raw_secret(key.pk)
    assert world.acme_secret not in raw
    assert key.secret == world.acme_secret


def test_it_decrypts_with_an_older_key_after_rotation(world, settings):
    key = ApiKey.objects.get(key_id=world.acme_key)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *settings.FIELD_ENCRYPTION_KEYS]
    assert ApiKey.objects.get(pk=key.pk).secret == world.acme_secret


def test_it_fails_clearly_when_the_key_is_gone(world, settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(ImproperlyConfigured, match="cannot be decrypted"):
        ApiKey.objects.get(key_id=world.acme_key)
