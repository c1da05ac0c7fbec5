from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from tenancy.models import ApiKey, Organization
from tenancy.services import provision_dev

pytestmark = pytest.mark.django_db


def _run(*args: str) -> dict[str, str]:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return json.loads(out.getvalue())


def test_it_creates_an_organization_with_a_key_and_prints_json():
    data = _run("createorg", "initech", "--name", "Initech", "--json")
    assert data["organization"] == "initech"
    assert data["api_key"].startswith("API")
    key = ApiKey.objects.get(key_id=data["api_key"])
    assert key.secret == data["api_secret"]
    assert Organization.objects.get(slug="initech").name == "Initech"


def test_it_adds_a_key_to_an_existing_organization():
    first = _run("createorg", "initech", "--json")
    second = _run("createapikey", "initech", "--json")
    assert second["api_key"] != first["api_key"]
    assert ApiKey.objects.filter(organization__slug="initech").count() == 2


def test_it_refuses_a_bad_slug_and_an_unknown_organization():
    with pytest.raises(CommandError):
        call_command("createorg", "Not A Slug!", "--json", stdout=io.StringIO())
    with pytest.raises(CommandError, match="No organization"):
        call_command("createapikey", "nobody", "--json", stdout=io.StringIO())


def test_dev_provisioning_is_idempotent(settings):
    settings.DEBUG = True
    call_command("provisiondev", stdout=io.StringIO())
    out = io.StringIO()
    call_command("provisiondev", stdout=out)
    assert "already provisioned" in out.getvalue()
    assert Organization.objects.filter(slug="demo").count() == 1
    assert ApiKey.objects.filter(key_id="devkey").count() == 1
    dev = provision_dev()
    assert not dev.created
    assert ApiKey.objects.get(key_id="devkey").secret == "secret"


def test_dev_provisioning_refuses_to_run_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("provisiondev", stdout=io.StringIO())


def test_dev_provisioning_creates_one_default_local_agent_with_tools(settings):
    from agents.models import Agent
    from agents.selectors import agent_tools, default_agent_for

    settings.DEBUG = True
    call_command("provisiondev", stdout=io.StringIO())
    call_command("provisiondev", stdout=io.StringIO())
    org = Organization.objects.get(slug="demo")
    agent = default_agent_for(org)
    assert agent is not None and agent.provider == "local"
    assert Agent.objects.filter(organization=org).count() == 1
    assert [(t.name, t.kind) for t in agent_tools(agent)] == [("calculator", "python"), ("browser_timezone", "client")]
