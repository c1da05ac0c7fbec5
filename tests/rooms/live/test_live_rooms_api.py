"""Live-room REST and admin surfaces: owner, read-only member, outsider."""

from __future__ import annotations

import pytest

from rooms.models import Room

pytestmark = pytest.mark.django_db


@pytest.fixture
def room(world):
    return Room.objects.create(organization=world.acme, name="standup", host="elsewhere")


def test_it_lists_live_rooms_of_the_callers_organization_only(world, room, api_as):
    assert [r["name"] for r in api_as(world.alice).get("/api/rooms/").json()] == ["standup"]
    assert api_as(world.charlie).get("/api/rooms/").json() == []
    assert api_as(key=world.globex_key, secret=world.globex_secret).get("/api/rooms/").json() == []


def test_an_outsider_cannot_touch_a_room(world, room, api_as):
    for path in ("data/", "end/", "metadata/"):
        r = api_as(world.charlie).post(f"/api/rooms/{room.sid}/{path}", {"payload": "x", "metadata": "x"}, format="json")
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_a_read_only_member_cannot_command_a_room(world, room, api_as):
    r = api_as(world.bob).post(f"/api/rooms/{room.sid}/end/")
    assert r.status_code == 403


def test_it_refuses_oversized_data_and_ended_rooms(world, room, api_as):
    owner = api_as(world.alice)
    r = owner.post(f"/api/rooms/{room.sid}/data/", {"payload": "x" * (15 * 1024 + 1)}, format="json")
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"
    Room.objects.filter(pk=room.pk).update(status="ended")
    r = owner.post(f"/api/rooms/{room.sid}/end/")
    assert r.status_code == 409 and r.json()["error"]["code"] == "room_not_live"


def test_admin_shows_rooms_per_organization(world, room, web_as):
    assert "standup" in web_as(world.alice).get("/admin/rooms/room/").content.decode()
    assert "standup" in web_as(world.bob).get("/admin/rooms/room/").content.decode()
    assert "standup" not in web_as(world.charlie).get("/admin/rooms/room/").content.decode()
    assert web_as(world.charlie).get(f"/admin/rooms/room/{room.pk}/change/").status_code == 302
