"""One-time secrets the room config admin shows in messages never travel in a cookie."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client

from rooms.services.config import room_config_create
from tests.conftest import World

pytestmark = pytest.mark.django_db


def test_it_keeps_a_test_token_out_of_cookies_and_shows_it_once(world: World, web_as: Callable[..., Client]) -> None:
    config = room_config_create(organization=world.acme, name="Front desk", slug="front-desk")
    client = web_as(world.alice)
    r = client.post("/admin/rooms/roomconfig/", {"action": "issue_test_token", "_selected_action": [config.pk]})
    assert r.status_code == 302
    assert "messages" not in r.cookies, "a signed token would sit in a readable cookie"
    next_page = client.get(r["Location"]).content.decode()
    shown = re.search(r"Test token for room front-desk as admin-alice: ([\w.-]+)", next_page)
    assert shown
    assert not [name for name, morsel in client.cookies.items() if shown.group(1) in morsel.value]
    assert shown.group(1) not in client.get(r["Location"]).content.decode()
