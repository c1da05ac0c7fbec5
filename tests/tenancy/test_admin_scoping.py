"""What every tenant-scoped admin page shares: filters name no other tenant, objects never change tenant."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.db import models
from django.test import Client

from agents.models import Tool
from rooms.records.models import HookKind, ShutdownHook
from rooms.services.config import room_config_create
from tenancy.models import ApiKey, Membership, Organization, Role
from tenancy.services import membership_set
from tests.agents.builders import SECRET_HEADER, a_credential, a_prompt, agent_form, an_agent, an_http_tool
from tests.conftest import World

pytestmark = pytest.mark.django_db

# Names that appear nowhere else, so finding one in a page can only mean that tenant leaked into it.
ACME_NAME = "Acme Quillfeather Holdings"
GLOBEX_NAME = "Globex Marrowgate Industries"

# Changelists whose list_filter has an "organization" entry.
FILTERED_PAGES = ["agents/providercredential", "agents/prompt", "agents/tool", "agents/agent", "rooms/roomconfig"]


def _tenant_objects(org: Organization) -> dict[str, models.Model]:
    prompt = a_prompt(org)
    agent = an_agent(org, prompt=prompt)
    room_config = room_config_create(organization=org, name="Front desk", slug="front-desk")
    return {
        "agents/providercredential": a_credential(org),
        "agents/prompt": prompt,
        "agents/tool": an_http_tool(org),
        "agents/agent": agent,
        "rooms/roomconfig": room_config,
        "records/shutdownhook": ShutdownHook.objects.create(organization=org, agent=agent, kind=HookKind.WEBHOOK,
                                                            url="https://hooks.example.com/done"),
        "tenancy/apikey": ApiKey.objects.filter(organization=org).get(),
        "tenancy/membership": Membership.objects.filter(organization=org, role=Role.OWNER).get(),
    }


@pytest.fixture
def objects(world: World) -> dict[str, dict[str, models.Model]]:
    Organization.objects.filter(pk=world.acme.pk).update(name=ACME_NAME)
    Organization.objects.filter(pk=world.globex.pk).update(name=GLOBEX_NAME)
    return {"acme": _tenant_objects(world.acme), "globex": _tenant_objects(world.globex)}


def _filter_link(org: Organization) -> str:
    return f"?organization__id__exact={org.pk}"


@pytest.mark.parametrize("page", FILTERED_PAGES)
def test_it_names_no_other_organization_in_the_list_filters(world: World, web_as: Callable[..., Client],
                                                            objects: dict[str, dict[str, models.Model]],
                                                            page: str) -> None:
    for user, own, other, other_name in ((world.alice, objects["acme"], world.globex, GLOBEX_NAME),
                                         (world.bob, objects["acme"], world.globex, GLOBEX_NAME),
                                         (world.charlie, objects["globex"], world.acme, ACME_NAME)):
        response = web_as(user).get(f"/admin/{page}/")
        assert response.status_code == 200, (user, page)
        content = response.content.decode()
        assert f"/{own[page].pk}/change/" in content, "the page must list the user's own objects"
        assert other_name not in content, f"{page} shows another tenant's name to {user}"
        assert _filter_link(other) not in content


@pytest.mark.parametrize("page", FILTERED_PAGES)
def test_it_still_offers_a_superuser_every_organization_in_the_filter(world: World, web_as: Callable[..., Client],
                                                                      objects: dict[str, dict[str, models.Model]],
                                                                      page: str) -> None:
    root = User.objects.create_superuser("root", password="pw-root")
    content = web_as(root).get(f"/admin/{page}/").content.decode()
    assert _filter_link(world.acme) in content and _filter_link(world.globex) in content
    filtered = web_as(root).get(f"/admin/{page}/{_filter_link(world.globex)}")
    assert filtered.status_code == 200
    assert f"/{objects['globex'][page].pk}/change/" in filtered.content.decode()
    assert f"/{objects['acme'][page].pk}/change/" not in filtered.content.decode()


@pytest.mark.parametrize("page", ["agents/providercredential", "agents/prompt", "agents/tool", "agents/agent",
                                  "rooms/roomconfig", "records/shutdownhook", "tenancy/apikey",
                                  "tenancy/membership"])
def test_it_shows_the_organization_of_an_existing_object_read_only(world: World, web_as: Callable[..., Client],
                                                                   objects: dict[str, dict[str, models.Model]],
                                                                   page: str) -> None:
    client = web_as(world.alice)
    change = client.get(f"/admin/{page}/{objects['acme'][page].pk}/change/")
    assert change.status_code == 200
    assert "organization" not in change.context["adminform"].form.fields
    assert ACME_NAME in change.content.decode(), "the organization is still shown, read only"
    add = client.get(f"/admin/{page}/add/")
    assert add.status_code == 200
    assert "organization" in add.context["adminform"].form.fields, "a new object still chooses its organization"


def test_it_keeps_a_tool_in_its_organization_when_an_admin_of_both_posts_another(
        world: World, web_as: Callable[..., Client], objects: dict[str, dict[str, models.Model]]) -> None:
    membership_set(user=world.alice, organization=world.globex, role=Role.ADMIN)
    tool = objects["acme"]["agents/tool"]
    assert isinstance(tool, Tool)
    form = {"organization": world.globex.pk, "name": "moved_tool", "description": "", "kind": "http",
            "url": tool.url, "method": "POST", "parameters": '{"type": "object"}', "headers": "{}",
            "timeout_s": "5", "secret_headers_input": ""}  # fmt: skip
    response = web_as(world.alice).post(f"/admin/agents/tool/{tool.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    tool.refresh_from_db()
    assert tool.name == "moved_tool", "the rest of the form was saved"
    assert tool.organization_id == world.acme.pk
    assert tool.secret_header_values == {"Authorization": SECRET_HEADER}


def test_it_keeps_an_agent_in_its_organization_when_an_admin_of_both_posts_another(
        world: World, web_as: Callable[..., Client], objects: dict[str, dict[str, models.Model]]) -> None:
    membership_set(user=world.alice, organization=world.globex, role=Role.OWNER)
    agent = objects["acme"]["agents/agent"]
    form = agent_form(world, organization=world.globex.pk, name="Moved", slug="moved")
    response = web_as(world.alice).post(f"/admin/agents/agent/{agent.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    agent.refresh_from_db()
    assert agent.name == "Moved", "the rest of the form was saved"
    assert agent.organization_id == world.acme.pk
