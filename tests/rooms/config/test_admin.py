"""Room config admin: owners edit, read-only members look, outsiders see nothing; test tokens."""

from __future__ import annotations

import re

import jwt
import pytest

from rooms.models import RoomConfig
from rooms.selectors import room_config_agents
from rooms.services.config import room_config_create
from tests.agents.builders import an_agent

pytestmark = pytest.mark.django_db


def form(world, **extra):
    data = {
        "organization": world.acme.pk, "name": "Lobby", "slug": "lobby", "floor_policy": "round_robin",
        "max_participants": "4", "empty_timeout": "300", "departure_timeout": "20", "metadata": "",
        "record_transcripts": "on", "webhook_urls": '["https://hooks.acme.test/x"]',
        "client_settable_fields": '["participant_name"]',
        "room_config_agents-TOTAL_FORMS": "0", "room_config_agents-INITIAL_FORMS": "0",
        "room_config_agents-MIN_NUM_FORMS": "0", "room_config_agents-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    data.update(extra)
    return data


@pytest.fixture
def config(world):
    return room_config_create(organization=world.acme, name="Front desk", slug="front-desk")


def test_it_lets_an_owner_create_a_config_with_ordered_agents(world, web_as):
    a, b = an_agent(world.acme, slug="a"), an_agent(world.acme, slug="b")
    data = form(world, **{
        "room_config_agents-TOTAL_FORMS": "2",
        "room_config_agents-0-position": "2", "room_config_agents-0-agent": a.pk,
        "room_config_agents-1-position": "1", "room_config_agents-1-agent": b.pk,
    })  # fmt: skip
    client = web_as(world.alice)
    assert client.get("/admin/rooms/roomconfig/add/").status_code == 200
    r = client.post("/admin/rooms/roomconfig/add/", data)
    assert r.status_code == 302, r.content.decode()[:2000]
    config = RoomConfig.objects.get(slug="lobby")
    assert room_config_agents(config) == [b, a]
    assert config.webhook_urls == ["https://hooks.acme.test/x"]


def test_it_shows_bad_webhook_urls_on_the_field(world, web_as):
    r = web_as(world.alice).post("/admin/rooms/roomconfig/add/", form(world, webhook_urls='["gopher://x"]'))
    assert "webhook_urls" in r.context["adminform"].form.errors
    assert not RoomConfig.objects.exists()


def test_it_does_not_offer_another_organizations_agents(world, web_as):
    an_agent(world.globex, name="Globex Secret Agent", slug="spy")
    page = web_as(world.alice).get("/admin/rooms/roomconfig/add/").content.decode()
    assert "Globex Secret Agent" not in page


def test_it_gives_a_member_read_only_access(world, web_as, config):
    client = web_as(world.bob)
    assert client.get(f"/admin/rooms/roomconfig/{config.pk}/change/").status_code == 200
    client.post(f"/admin/rooms/roomconfig/{config.pk}/change/", form(world, name="bob was here"))
    config.refresh_from_db()
    assert config.name == "Front desk"
    assert client.post("/admin/rooms/roomconfig/add/", form(world)).status_code == 403


def test_it_hides_the_config_from_an_outsider(world, web_as, config):
    client = web_as(world.charlie)
    assert f"/{config.pk}/change/" not in client.get("/admin/rooms/roomconfig/").content.decode()
    assert client.get(f"/admin/rooms/roomconfig/{config.pk}/change/").status_code == 302
    client.post(f"/admin/rooms/roomconfig/{config.pk}/change/", form(world, name="pwned"))
    config.refresh_from_db()
    assert config.name == "Front desk"


def test_it_issues_a_test_token_for_the_rooms_agents(world, web_as, config):
    from rooms.services.config import room_config_update

    room_config_update(room_config=config, agents=[an_agent(world.acme, slug="greeter")])
    r = web_as(world.alice).post(
        "/admin/rooms/roomconfig/", {"action": "issue_test_token", "_selected_action": [config.pk]}, follow=True
    )
    shown = re.search(r"Test token for room front-desk as admin-alice: ([\w.-]+)", r.content.decode())
    assert shown, r.content.decode()[:3000]
    claims = jwt.decode(shown.group(1), options={"verify_signature": False})
    assert claims["sub"] == "admin-alice"
    assert claims["iss"] == world.acme_key
    assert claims["video"]["room"] == "front-desk"
    assert claims["roomConfig"]["agents"] == [{"agentName": "greeter"}]
    jwt.decode(shown.group(1), world.acme_secret, algorithms=["HS256"], options={"verify_aud": False})


def test_it_refuses_a_test_token_to_an_outsider(world, web_as, config):
    r = web_as(world.charlie).post(
        "/admin/rooms/roomconfig/", {"action": "issue_test_token", "_selected_action": [config.pk]}, follow=True
    )
    assert "Test token" not in r.content.decode()
