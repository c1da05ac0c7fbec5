from __future__ import annotations

import pytest
from django.core.management import call_command


def test_it_generates_the_openapi_schema_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    # --fail-on-warn turns any drf-spectacular warning or error into a failure.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = out.read_text()
    for path in ("/api/agents/", "/api/prompts/{ref}/versions/", "/api/tools/", "/api/credentials/",
                 "/api/room-configs/{ref}/"):
        assert f"  {path}:" in schema
    assert "apiKeyBasic" in schema


@pytest.mark.django_db
def test_it_serves_the_schema_and_the_docs(client):
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200
