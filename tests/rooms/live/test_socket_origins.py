"""Which sockets the Origin check refuses: those that cookies would authenticate, not those with a grant."""

from __future__ import annotations

from importlib import import_module

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import SESSION_KEY

from tests.rooms.live.conftest import application, mint

pytestmark = pytest.mark.django_db(transaction=True)

CUSTOMER_APP = (b"origin", b"https://app.customer.example")


async def _signed_in_cookie(user) -> tuple[bytes, bytes]:
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    store["_auth_user_hash"] = user.get_session_auth_hash()
    await database_sync_to_async(store.save)()
    return b"cookie", f"sessionid={store.session_key}".encode()


@pytest.mark.parametrize("headers", [[CUSTOMER_APP], []], ids=["customer's origin", "no origin"])
async def test_a_grant_joins_from_any_origin_or_none(world, echo, clients, headers):
    client = clients("/ws/room")
    client.comm = WebsocketCommunicator(
        application(), f"/ws/room?access_token={mint(world.acme_key, world.acme_secret)}", headers=headers)
    assert await client.connect()
    joined = await client.wait_for("room_joined")
    assert joined["room"]["name"] == "lobby"


async def test_a_grant_in_the_authorization_header_joins_from_the_customers_origin(world, echo, clients):
    client = clients("/ws/room")
    bearer = (b"authorization", f"Bearer {mint(world.acme_key, world.acme_secret)}".encode())
    client.comm = WebsocketCommunicator(application(), "/ws/room", headers=[CUSTOMER_APP, bearer])
    assert await client.connect()
    await client.wait_for("room_joined")


async def test_a_signed_in_members_cookie_does_not_open_a_socket_from_another_site(world, echo):
    # Cross-site WebSocket hijacking: a page elsewhere opens a socket and the browser adds the cookie.
    cookie = await _signed_in_cookie(world.alice)
    comm = WebsocketCommunicator(application(), "/ws/alice/s1", headers=[CUSTOMER_APP, cookie])
    connected, _ = await comm.connect(timeout=10)
    assert not connected
    await comm.disconnect()


async def test_the_same_cookie_opens_a_socket_from_the_platforms_own_pages(world, echo, clients):
    cookie = await _signed_in_cookie(world.alice)
    page = clients("/ws/alice/s1")
    page.comm = WebsocketCommunicator(application(), "/ws/alice/s1",
                                      headers=[(b"origin", b"http://localhost"), cookie])
    assert await page.connect()
    await page.send({"type": "client_session_create", "config": {"agent": "echo"}})
    await page.wait_for("server_session_created")


async def test_a_bad_grant_from_another_site_is_still_refused(world, echo, clients):
    client = clients("/ws/room")
    client.comm = WebsocketCommunicator(application(), "/ws/room?access_token=not-a-token", headers=[CUSTOMER_APP])
    assert await client.connect()
    closed = await client.wait_closed()
    assert closed["code"] == 4401
