"""A room's transcript, stored by a real Celery worker: every message once, whoever recorded it."""

from __future__ import annotations

import asyncio

import pytest
from channels.db import database_sync_to_async

from agents.services.agents import agent_create
from rooms.models import Session
from rooms.records.models import TranscriptEntry
from rooms.services.config import room_config_create
from tests.rooms.live.conftest import mint

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.celery_worker]


@pytest.fixture(autouse=True)
def fast_local(settings):
    settings.LOCAL_MODEL_SPEED = 8.0


def _panel(world, policy: str) -> None:
    ada = agent_create(organization=world.acme, name="Ada", slug="ada", provider="local")
    bob = agent_create(organization=world.acme, name="Bob", slug="bob", provider="local")
    room_config_create(organization=world.acme, name="panel", slug="panel", floor_policy=policy, agents=[ada, bob])


async def _converse(clients, world, messages: list[tuple[str, int]]) -> list[TranscriptEntry]:
    """Send each message, wait for that many more finished answers, end the session; the stored
    transcript once it holds each message and an answer to it."""
    client = clients(f"/ws/room?access_token={mint(world.acme_key, world.acme_secret, room='panel')}")
    assert await client.connect()
    await client.wait_for("server_session_created")
    answered = 0
    for text, answers in messages:
        await client.send({"type": "client_text_append", "text": text})
        answered += answers
        await client.wait_for(lambda e, n=answered: client.types().count("agent_response_done") >= n, timeout=20)
    await client.send({"type": "client_session_end"})
    await client.wait_closed()
    session = await database_sync_to_async(Session.objects.get)(room__name="panel")
    for _ in range(100):  # the worker stores the last batch a moment after the session ends
        entries = await database_sync_to_async(list)(TranscriptEntry.objects.filter(session=session).order_by("position"))
        if len(entries) >= 2 * len(messages):
            break
        await asyncio.sleep(0.2)
    return entries


async def test_two_providers_numbering_items_alike_lose_nothing(world, clients, celery_worker):
    # Each provider numbers the items of its own connection; two agents on two providers in one
    # session once shared ids, and the second agent's answer was dropped as already stored.
    from agents.services.credentials import provider_credential_create
    from tests.fakes import FakeOpenAI
    from tests.fakes.script import Reply

    def panel(urls: list[str]) -> None:
        agents = []
        for name, url in zip(("Ada", "Bob"), urls, strict=True):
            credential = provider_credential_create(organization=world.acme, name=f"{name} openai",
                                                    provider="openai", api_key="sk-test", base_url=url)
            agents.append(agent_create(organization=world.acme, name=name, slug=name.lower(), provider="openai",
                                       credential=credential))
        room_config_create(organization=world.acme, name="panel", slug="panel", floor_policy="free", agents=agents)

    async with (FakeOpenAI(api_key="sk-test", default_reply=Reply(text="Ada here.")) as ada,
                FakeOpenAI(api_key="sk-test", default_reply=Reply(text="Bob here.")) as bob):
        await database_sync_to_async(panel)([ada.url, bob.url])
        entries = await _converse(clients, world, [("hello both", 2)])
    assert [(e.role, e.text) for e in entries if e.role == "user"] == [("user", "hello both")]
    # (in a free floor each hears the other's answer as typed text, which may cut the later one short)
    answers = sorted((e.agent, e.text.removesuffix(" [interrupted]")) for e in entries if e.role == "agent")
    assert answers == [("ada", "Ada here."), ("bob", "Bob here.")]
    assert len({e.item_id for e in entries}) == len(entries)


async def test_one_message_heard_by_every_agent_is_stored_once(world, clients, celery_worker):
    await database_sync_to_async(_panel)(world, "free")
    entries = await _converse(clients, world, [("hello both", 2), ("and again", 2)])
    assert [e.text for e in entries if e.role == "user"] == ["hello both", "and again"]
    assert {e.agent for e in entries if e.role == "agent"} == {"ada", "bob"}
    assert len({e.item_id for e in entries}) == len(entries)
