"""Provider keys and secret tool headers never sit in the database as plaintext."""

from __future__ import annotations

import pytest
from django.db import connection

from agents.models import ProviderCredential, Tool
from tests.agents.builders import OPENAI_KEY, SECRET_HEADER, a_credential, an_http_tool

pytestmark = pytest.mark.django_db


def raw_column(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608 (fixed names)
        return str(cursor.fetchone()[0])


def test_it_stores_the_provider_key_encrypted(world):
    credential = a_credential(world.acme)
    raw = raw_column(ProviderCredential._meta.db_table, "api_key", credential.pk)
    assert OPENAI_KEY not in raw and "sk-test" not in raw
    assert ProviderCredential.objects.get(pk=credential.pk).api_key == OPENAI_KEY


def test_it_stores_secret_tool_headers_encrypted(world):
    tool = an_http_tool(world.acme)
    raw = raw_column(Tool._meta.db_table, "secret_headers", tool.pk)
    assert SECRET_HEADER not in raw and "tool-secret" not in raw and "Authorization" not in raw
    assert Tool.objects.get(pk=tool.pk).secret_header_values == {"Authorization": SECRET_HEADER}
