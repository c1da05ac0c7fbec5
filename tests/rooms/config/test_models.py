"""Room config rules and the lookups rooms use at creation time."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from rooms.models import RoomConfig
from rooms.selectors import get_room_config_for_actor, room_config_agents, room_config_for_room
from rooms.services.config import room_config_create, room_config_update
from tenancy.access import Http404, actor_for_user
from tests.agents.builders import an_agent

pytestmark = pytest.mark.django_db


def test_it_has_the_documented_defaults(world):
    config = room_config_create(organization=world.acme, name="Lobby", slug="lobby")
    assert (config.floor_policy, config.max_participants, config.record_transcripts) == ("free", 0, True)
    assert config.client_settable_fields == ["participant_name"]
    assert config.webhook_urls == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("webhook_urls", ["ftp://hooks.example.com"]),
        ("webhook_urls", ["not a url"]),
        ("webhook_urls", "https://one.example.com"),
        ("webhook_urls", [f"https://h{i}.example.com" for i in range(11)]),
        ("client_settable_fields", ["room_name"]),
        ("client_settable_fields", "participant_name"),
        ("floor_policy", "loudest"),
        ("slug", "Has Spaces"),
        ("max_participants", -1),
    ],
)
def test_it_rejects_bad_values(world, field, value):
    with pytest.raises(ValidationError) as exc:
        room_config_create(organization=world.acme, **{"name": "R", "slug": "r", field: value})
    assert field in exc.value.message_dict
    assert not RoomConfig.objects.exists()


def test_it_keeps_slugs_unique_per_organization(world):
    room_config_create(organization=world.acme, name="A", slug="lobby")
    with pytest.raises(ValidationError) as exc:
        room_config_create(organization=world.acme, name="B", slug="lobby")
    assert "slug" in exc.value.message_dict
    room_config_create(organization=world.globex, name="B", slug="lobby")


def test_it_keeps_agents_in_order_and_within_the_organization(world):
    first, second = an_agent(world.acme, slug="first"), an_agent(world.acme, slug="second")
    config = room_config_create(organization=world.acme, name="R", slug="r", agents=[second, first])
    assert room_config_agents(config) == [second, first]
    room_config_update(room_config=config, agents=[first])
    assert room_config_agents(config) == [first]
    with pytest.raises(ValidationError) as exc:
        room_config_update(room_config=config, agents=[an_agent(world.globex, slug="theirs")])
    assert "agents" in exc.value.message_dict
    with pytest.raises(ValidationError):
        room_config_update(room_config=config, agents=[first, first])
    assert room_config_agents(config) == [first]


def test_it_finds_the_config_of_a_room_by_name_within_one_organization(world):
    config = room_config_create(organization=world.acme, name="Desk", slug="front-desk")
    assert room_config_for_room(world.acme, "front-desk") == config
    assert room_config_for_room(world.globex, "front-desk") is None
    assert room_config_for_room(world.acme, "other") is None
    alice, charlie = actor_for_user(world.alice), actor_for_user(world.charlie)
    assert get_room_config_for_actor(alice, "front-desk") == config
    assert get_room_config_for_actor(alice, config.pk) == config
    for ref in ("front-desk", config.pk, str(config.pk)):
        with pytest.raises(Http404):
            get_room_config_for_actor(charlie, ref)
