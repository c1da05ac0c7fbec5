"""AgentScope v1's example pages, replayed message for message against /ws/<user>/<session>."""

from __future__ import annotations

import base64

import pytest
from channels.db import database_sync_to_async

from agents.services.credentials import provider_credential_create
from rooms.models import Session
from tenancy.models import Organization
from tests.rooms.live.conftest import mint, tone

pytestmark = pytest.mark.django_db(transaction=True)

# What chatbot.html sends (its defaults: agent "Friday", provider "dashscope").
SINGLE_CONFIG = {"instructions": "You are a helpful assistant.", "agent_name": "Friday", "model_provider": "dashscope"}
# What multi_agent.html sends (its debate preset, shortened).
DUO_CONFIG = {"agent1_name": "Alice", "agent1_instructions": "You argue for remote work.",
              "agent2_name": "Bob", "agent2_instructions": "You argue for office work.", "model_provider": "dashscope"}


@pytest.fixture
def dev(settings, db):
    settings.ALLOW_ANONYMOUS_SESSIONS = True
    settings.PROVIDER_FALLBACK_LOCAL = True
    settings.LOCAL_MODEL_SPEED = 6.0
    return Organization.objects.create(slug=settings.DEV_ORGANIZATION_SLUG, name="Demo")


def _page_audio(pcm: bytes) -> dict:
    # The page's exact shape: {rate, type} with the rate first, session_id always "session1".
    return {"type": "client_audio_append", "session_id": "session1", "audio": base64.b64encode(pcm).decode(),
            "format": {"rate": 16000, "type": "audio/pcm"}}


def test_check_models_needs_a_member_or_dev_mode(client, settings):
    settings.ALLOW_ANONYMOUS_SESSIONS = False
    r = client.get("/api/check-models")
    assert r.status_code == 401 and r.json()["error"]["code"] == "not_authenticated"


def test_check_models_answers_for_the_dev_organization_offline(client, dev):
    for path in ("/api/check-models", "/model_availability"):
        assert client.get(path).json() == {"dashscope": True, "gemini": True, "openai": True}


def test_check_models_reflects_the_members_credentials(world, web_as, settings):
    settings.PROVIDER_FALLBACK_LOCAL = False
    provider_credential_create(organization=world.acme, name="oa", provider="openai", api_key="sk-x")
    assert web_as(world.bob).get("/api/check-models").json() == {"dashscope": False, "gemini": False, "openai": True}
    assert web_as(world.charlie).get("/model_availability").json() == {"dashscope": False, "gemini": False,
                                                                         "openai": False}


async def test_the_single_agent_page_protocol(dev, clients):
    page = clients("/ws/You/session1")
    assert await page.connect()
    await page.send({"type": "client_session_create", "config": SINGLE_CONFIG})
    warning = await page.wait_for("agent_error", timeout=5)
    assert warning["error_type"] == "warning" and warning["code"] == "provider_fallback_local"
    assert warning["agent_name"] == "Friday"
    await page.wait_for("server_session_created", timeout=5)
    await page.wait_for("agent_ready")
    # Speaking: 16 kHz chunks of ~256 ms, then silence, as the ScriptProcessor sends them.
    speech, silence = tone(1.0), bytes(16000 * 2)
    for pcm in (speech[i:i + 8192] for i in range(0, len(speech), 8192)):
        await page.send(_page_audio(pcm))
    for pcm in (silence[i:i + 8192] for i in range(0, len(silence), 8192)):
        await page.send(_page_audio(pcm))
    started = await page.wait_for("agent_input_started", timeout=10)
    done = await page.wait_for("agent_input_done", timeout=10)
    assert done["audio_end_ms"] > started["audio_start_ms"]
    await page.wait_for("agent_response_done", timeout=15)
    await page.send({"type": "client_text_append", "session_id": "session1", "text": "what can you do?"})
    reply = await page.wait_for(lambda e: e["type"] == "agent_response_audio_transcript_done"
                                and "what can you do" in e.get("transcript", ""), timeout=15)
    assert reply["agent_name"] == "Friday"
    # The video frame goes under "data" with the page's format object; it must not kill the session.
    await page.send({"type": "client_image_append", "session_id": "session1", "data": base64.b64encode(b"\xff\xd8jpeg").decode(),
                     "format": {"type": "image/jpeg", "mime_type": "image/jpeg"}})
    await page.send({"type": "client_audio_commit", "session_id": "session1"})
    await page.send({"type": "client_session_end", "session_id": "session1"})
    ended = await page.wait_for("server_session_ended")
    assert page.closed is None  # the page keeps its socket; any close would reset it
    session = await database_sync_to_async(Session.objects.get)(public_id=ended["session_id"])
    assert session.end_reason == "client_ended"
    # The page may start again on the same socket.
    await page.send({"type": "client_session_create", "config": SINGLE_CONFIG})
    await page.wait_for(lambda e: e["type"] == "server_session_created" and e["session_id"] != ended["session_id"])


async def test_the_multi_agent_page_protocol_runs_a_conversation_with_no_input(dev, clients):
    page = clients("/ws/user1/session1")
    assert await page.connect()
    await page.send({"type": "client_session_create", "config": DUO_CONFIG})
    await page.wait_for("server_session_created", timeout=10)

    def turns() -> list[str]:
        return [e["agent_name"] for e in page.events if e["type"] == "agent_response_done"]

    await page.wait_for(lambda e: len(turns()) >= 4, timeout=30)
    assert turns()[:4] == ["Alice", "Bob", "Alice", "Bob"]
    # The page plays each response only after its audio_done: every response must have one.
    created = {e["response_id"] for e in page.events if e["type"] == "agent_response_created"}
    audio_done = {e["response_id"] for e in page.events if e["type"] == "agent_response_audio_done"}
    finished = {e["response_id"] for e in page.events if e["type"] == "agent_response_done"}
    assert finished <= audio_done <= created
    await page.send({"type": "client_session_end", "session_id": "session1"})
    await page.wait_for("server_session_ended")


async def test_the_page_endpoint_needs_a_token_outside_dev_mode(world, clients, settings):
    settings.ALLOW_ANONYMOUS_SESSIONS = False
    page = clients("/ws/You/session1")
    assert await page.connect()
    assert (await page.wait_closed())["code"] == 4401
    await database_sync_to_async(provider_credential_create)(
        organization=world.acme, name="ds", provider="dashscope", api_key="sk-x")
    token = mint(world.acme_key, world.acme_secret, identity="You", room="")
    with_token = clients(f"/ws/You/session1?access_token={token}")
    assert await with_token.connect()
    await with_token.send({"type": "client_session_create", "config": {"agent": "missing"}})
    assert (await with_token.wait_for("server_error"))["code"] == "unknown_agent"


async def test_a_member_session_uses_the_organization_picked_in_the_switcher(world, clients, settings):
    """The web app's pages connect with the session cookie; the switcher's choice decides the tenant."""
    from importlib import import_module

    from django.contrib.auth import SESSION_KEY

    from tenancy.models import Membership

    settings.LOCAL_MODEL_SPEED = 8.0
    await database_sync_to_async(Membership.objects.create)(user=world.charlie, organization=world.acme, role="member")
    from agents.services.agents import agent_create

    # charlie's default (oldest) organization is globex; the switcher picks acme, which alone has this agent.
    await database_sync_to_async(agent_create)(organization=world.acme, name="AcmeBot", slug="acmebot",
                                               provider="local")
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(world.charlie.pk)
    store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    store["_auth_user_hash"] = world.charlie.get_session_auth_hash()
    store["organization"] = "acme"
    await database_sync_to_async(store.save)()
    from channels.testing import WebsocketCommunicator

    from tests.rooms.live.conftest import ORIGIN, Client, application

    page = Client("/ws/charlie/s1")
    page.comm = WebsocketCommunicator(application(), "/ws/charlie/s1",
                                      headers=[ORIGIN, (b"cookie", f"sessionid={store.session_key}".encode())])
    assert await page.connect()
    await page.send({"type": "client_session_create", "config": {"agent": "acmebot"}})
    await page.wait_for("server_session_created")
    await page.disconnect()
