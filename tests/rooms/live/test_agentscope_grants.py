"""What a room grant allows on /ws/<user>/<session>, AgentScope's socket: only organization-wide grants
that may publish start sessions, and the room enforces the rest of the grant as on /ws/room."""

from __future__ import annotations

from importlib import import_module
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from agents.services.credentials import provider_credential_create
from rooms.models import Session
from rooms.services.config import room_config_create
from tests.rooms.live.conftest import ORIGIN, Client, application, audio_event, mint, tone

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fast_local")]

SINGLE_CONFIG = {"instructions": "You are a helpful assistant.", "agent_name": "Friday", "model_provider": "openai"}


def page_path(token: str) -> str:
    return f"/ws/You/session1?access_token={token}"


async def refused(clients: Any, token: str) -> dict[str, Any]:
    page = clients(page_path(token))
    assert await page.connect()
    closed = await page.wait_closed()
    assert closed["code"] == 4403
    return closed


async def session(clients: Any, token: str, config: dict[str, Any] | None = None) -> Client:
    page = clients(page_path(token))
    assert await page.connect()
    await page.send({"type": "client_session_create", "config": config or {"agent": "echo"}})
    await page.wait_for("server_session_created")
    return page


async def sessions_started() -> int:
    return int(await database_sync_to_async(Session.objects.count)())


async def test_it_refuses_a_grant_limited_to_a_room(world, echo, clients):
    closed = await refused(clients, mint(world.acme_key, world.acme_secret, room="support-42"))
    assert closed["reason"] == "forbidden: the grant is limited to room 'support-42'"
    assert await sessions_started() == 0


async def test_it_refuses_a_grant_that_may_not_publish(world, echo, clients):
    closed = await refused(clients, mint(world.acme_key, world.acme_secret, room="", can_publish=False))
    assert closed["reason"] == "forbidden: the grant does not allow publishing (canPublish)"
    assert await sessions_started() == 0


async def test_it_refuses_a_grant_without_room_join(world, echo, clients):
    closed = await refused(clients, mint(world.acme_key, world.acme_secret, room="", room_join=False))
    assert closed["reason"] == "forbidden: the grant does not allow joining rooms (roomJoin)"


async def test_a_room_grant_is_refused_in_development_mode_too(world, echo, clients, settings):
    """Development mode admits callers without a token; a token still has to be good for this socket."""
    settings.ALLOW_ANONYMOUS_SESSIONS = True
    await refused(clients, mint(world.acme_key, world.acme_secret, room="support-42"))


async def test_an_organization_wide_grant_starts_sessions_with_the_organizations_agents(world, echo, clients):
    page = await session(clients, mint(world.acme_key, world.acme_secret, identity="ada", room=""))
    joined = await page.wait_for("room_joined")
    assert joined["participant"]["identity"] == "ada"
    await page.send({"type": "client_text_append", "text": "hello there"})
    await page.wait_for(lambda e: e["type"] == "agent_response_audio_transcript_done"
                        and "hello there" in e.get("transcript", ""), timeout=15)


async def test_the_room_enforces_what_the_grant_allows(world, echo, clients):
    # Publishing from the camera only, no data, no room admin: each refused on its own message.
    token = mint(world.acme_key, world.acme_secret, room="", can_publish_sources=("camera",),
                 can_publish_data=False)
    page = await session(clients, token)
    await page.send(audio_event(tone(0.1)))
    assert (await page.wait_for("server_error"))["code"] == "publish_not_allowed"
    await page.send({"type": "client_data_publish", "payload": "x"})
    await page.wait_for(lambda e: e.get("code") == "publish_data_not_allowed")
    await page.send({"type": "client_room_update_metadata", "metadata": "m"})
    await page.wait_for(lambda e: e.get("code") == "room_admin_required")
    assert page.closed is None


async def test_an_outsiders_grant_reaches_only_its_own_organization(world, echo, clients, settings):
    settings.PROVIDER_FALLBACK_LOCAL = False

    def acme_config() -> None:
        provider_credential_create(organization=world.acme, name="oa", provider="openai", api_key="sk-acme-only")
        room_config_create(organization=world.acme, name="Desk", slug="desk", agents=[echo])

    await database_sync_to_async(acme_config)()
    outsider = mint(world.globex_key, world.globex_secret, identity="mallory", room="")
    for config, code in (({"agent": "echo"}, "unknown_agent"), ({"room_config": "desk"}, "unknown_room_config"),
                         (SINGLE_CONFIG, "provider_unavailable")):
        page = clients(page_path(outsider))
        assert await page.connect()
        await page.send({"type": "client_session_create", "config": config})
        assert (await page.wait_for("server_error"))["code"] == code
    assert await sessions_started() == 0
    # The same requests with acme's grant do reach acme's agent and room config.
    for config in ({"agent": "echo"}, {"room_config": "desk"}):
        await session(clients, mint(world.acme_key, world.acme_secret, room=""), config)


def _signed_in(user: Any, settings: Any) -> str:
    from django.contrib.auth import SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    store["_auth_user_hash"] = user.get_session_auth_hash()
    store.save()
    return str(store.session_key)


@pytest.mark.parametrize(("who", "reaches"), [("alice", True), ("bob", True), ("charlie", False)])
async def test_a_web_session_reaches_its_members_organization_only(world, echo, clients, settings, who, reaches):
    """Without a grant: acme's owner and read-only member start sessions with acme's agent, globex's
    owner does not see it."""
    settings.ALLOW_ANONYMOUS_SESSIONS = False
    cookie = await database_sync_to_async(_signed_in)(getattr(world, who), settings)
    page = clients("/ws/You/session1")
    page.comm = WebsocketCommunicator(application(), "/ws/You/session1",
                                      headers=[ORIGIN, (b"cookie", f"sessionid={cookie}".encode())])
    assert await page.connect()
    await page.send({"type": "client_session_create", "config": {"agent": "echo"}})
    if reaches:
        await page.wait_for("server_session_created")
    else:
        assert (await page.wait_for("server_error"))["code"] == "unknown_agent"
