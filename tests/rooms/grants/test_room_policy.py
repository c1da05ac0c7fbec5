"""Room configs decide what a member's browser may set, and the admin's join grant for a config."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.test import Client

from rooms.grants.services import token_issue_for_room_config
from rooms.grants.verifier import verify_access_token
from rooms.services.config import room_config_create
from tests.agents.builders import an_agent
from tests.conftest import World


def _post(client: Client, body: dict[str, Any]) -> Any:
    return client.post("/api/token", data=json.dumps(body), content_type="application/json")


def test_it_lets_members_set_what_the_room_config_allows(world: World, web_as: Callable[[User], Client]) -> None:
    room_config_create(organization=world.acme, name="Open", slug="open",
                       client_settable_fields=["participant_name", "participant_metadata", "room_config"])
    response = _post(web_as(world.bob), {"room_name": "open", "participant_metadata": "m",
                                         "room_config": {"agents": [{"agent_name": "bot"}]}})
    assert response.status_code == 201
    verified = verify_access_token(response.json()["participant_token"])
    assert verified.metadata == "m" and verified.room_config == {"agents": [{"agentName": "bot"}]}
    refused = _post(web_as(world.bob), {"room_name": "open", "participant_attributes": {"a": "b"}})
    assert refused.status_code == 403
    assert refused.json()["error"]["fields"] == {"participant_attributes": "This field may not be set by this caller."}


def test_it_can_forbid_even_the_display_name(world: World, web_as: Callable[[User], Client]) -> None:
    room_config_create(organization=world.acme, name="Strict", slug="strict", client_settable_fields=[])
    response = _post(web_as(world.bob), {"room_name": "strict", "participant_name": "Bobby"})
    assert response.status_code == 403
    assert list(response.json()["error"]["fields"]) == ["participant_name"]
    assert _post(web_as(world.bob), {"room_name": "strict"}).status_code == 201


def test_it_ignores_another_organizations_room_config(world: World, web_as: Callable[[User], Client]) -> None:
    room_config_create(organization=world.globex, name="Theirs", slug="shared-name",
                       client_settable_fields=["participant_metadata"])
    response = _post(web_as(world.bob), {"room_name": "shared-name", "participant_metadata": "m"})
    assert response.status_code == 403


def test_it_issues_a_join_grant_that_dispatches_a_room_configs_agents(world: World) -> None:
    first, second = an_agent(world.acme, slug="greeter"), an_agent(world.acme, name="Closer", slug="closer")
    config = room_config_create(organization=world.acme, name="Sales", slug="sales", agents=[first, second])
    verified = verify_access_token(token_issue_for_room_config(room_config=config, identity="admin-test"))
    assert verified.organization_id == world.acme.pk
    assert verified.identity == "admin-test"
    assert verified.grants.room_join and verified.grants.room == "sales"
    assert verified.room_config == {"agents": [{"agentName": "greeter"}, {"agentName": "closer"}]}
    assert verified.expires_at - verified.claims["nbf"] == 3600
