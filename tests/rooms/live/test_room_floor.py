"""Floor policies, barge-in, lifecycle and clean teardown in rooms of local agents."""

from __future__ import annotations

import asyncio

import pytest
from channels.db import database_sync_to_async

from agents.services.agents import agent_create
from rooms.models import Room, Session
from rooms.runtime.registry import registry
from rooms.services.config import room_config_create
from tests.rooms.live.conftest import audio_event, default_openai_agent, mint, tone

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fast_local(settings):
    settings.LOCAL_MODEL_SPEED = 6.0


def _room(world, policy: str, slug: str = "panel", **extra):
    ada = agent_create(organization=world.acme, name="Ada", slug="ada", provider="local")
    bob = agent_create(organization=world.acme, name="Bob", slug="bob", provider="local")
    return room_config_create(organization=world.acme, name=slug, slug=slug, floor_policy=policy,
                              agents=[ada, bob], **extra)


async def _join(clients, world, room: str = "panel", identity: str = "alice", **grant):
    client = clients(f"/ws/room?access_token={mint(world.acme_key, world.acme_secret, identity=identity, room=room, **grant)}")
    assert await client.connect()
    await client.wait_for("server_session_created")
    return client


def _speakers(client) -> list[str]:
    return [e["agent_id"] for e in client.events if e["type"] == "agent_response_created"]


async def test_free_floor_sends_a_person_to_every_agent(world, clients):
    await database_sync_to_async(_room)(world, "free")
    client = await _join(clients, world)
    await client.send({"type": "client_text_append", "text": "hello both"})
    await client.wait_for(lambda e: len(set(_speakers(client))) == 2, timeout=15)
    assert set(_speakers(client)[:2]) == {"ada", "bob"}


async def test_round_robin_passes_the_floor_in_turn(world, clients):
    await database_sync_to_async(_room)(world, "round_robin")
    client = await _join(clients, world)
    await client.send({"type": "client_text_append", "text": "start"})
    await client.wait_for(lambda e: len(_speakers(client)) >= 3, timeout=20)
    assert _speakers(client)[:3] == ["ada", "bob", "ada"]


async def test_addressed_floor_lets_the_named_agent_answer(world, clients):
    await database_sync_to_async(_room)(world, "addressed")
    client = await _join(clients, world)
    await client.send({"type": "client_text_append", "text": "Bob, what do you think?"})
    await client.wait_for("agent_response_created", timeout=15)
    assert _speakers(client)[0] == "bob"


async def test_a_person_speaking_interrupts_a_speaking_agent(world, clients, settings):
    settings.LOCAL_MODEL_SPEED = 1.0  # a real-time reply, long enough to talk over
    await database_sync_to_async(agent_create)(organization=world.acme, name="Echo", slug="echo", provider="local",
                                               is_default=True)
    client = await _join(clients, world, room="solo")
    await client.send({"type": "client_text_append", "text": "tell me a long story " * 4})
    created = await client.wait_for("agent_response_audio_delta", timeout=10)
    await client.send(audio_event(tone(0.4)))
    cancelled = await client.wait_for("agent_response_cancelled", timeout=10)
    assert cancelled["response_id"] == created["response_id"]
    await asyncio.sleep(0.3)
    after = client.events.index(cancelled)
    assert not [e for e in client.events[after:]
                if e["type"] == "agent_response_audio_delta" and e["response_id"] == created["response_id"]]


async def test_the_room_ends_after_the_departure_timeout(world, clients):
    await database_sync_to_async(agent_create)(organization=world.acme, name="Echo", slug="echo", provider="local",
                                               is_default=True)
    client = await _join(clients, world, room="brief", room_config={"departureTimeout": 1})
    await client.disconnect()
    room = await database_sync_to_async(Room.objects.get)(name="brief")
    for _ in range(50):
        await asyncio.sleep(0.1)
        await database_sync_to_async(room.refresh_from_db)()
        if room.status == "ended":
            break
    assert room.status == "ended" and room.end_reason == "departure_timeout"
    session = await database_sync_to_async(Session.objects.get)(room=room)
    assert session.ended is not None and session.end_reason == "departure_timeout"


async def test_the_room_ends_when_nobody_joins_within_the_empty_timeout(world, clients):
    from rooms.runtime.join import open_room
    from rooms.services.dispatch import RoomPlan
    from rooms.services.live import RoomSettings

    room = await open_room(organization_id=world.acme.pk, name="nobody",
                           plan=RoomPlan(RoomSettings(empty_timeout=1), []))
    await asyncio.wait_for(room.ended_event.wait(), 5)
    record = await database_sync_to_async(Room.objects.get)(pk=room.room_id)
    assert record.end_reason == "empty_timeout"


async def test_client_session_end_ends_the_session_cleanly(world, clients):
    await database_sync_to_async(agent_create)(organization=world.acme, name="Echo", slug="echo", provider="local",
                                               is_default=True)
    client = await _join(clients, world, room="bye")
    await client.send({"type": "client_session_end"})
    ended = await client.wait_for("server_session_ended")
    assert ended["reason"] == "client_ended"
    session = await database_sync_to_async(Session.objects.get)(room__name="bye")
    assert session.end_reason == "client_ended"


@pytest.mark.parametrize("ended_by", ["admin_socket", "channel_layer"])
async def test_nothing_the_room_started_outlives_it(world, clients, ended_by):
    """Provider sockets, pacers, timers and listeners are all gone when the room ends, whether an
    admin's socket ends it or an ``end`` command reaches it through the channel layer (as it does from
    another process), which runs inside the room's own listener task."""
    from rooms.services.commands import room_end
    from tests.fakes import FakeOpenAI

    async with FakeOpenAI(api_key="sk-test") as fake:
        await default_openai_agent(world, fake.url, "sk-test")
        before = set(asyncio.all_tasks())
        client = await _join(clients, world, room="tidy", room_admin=True)
        assert len(fake.connections) == 1
        if ended_by == "admin_socket":
            await client.send({"type": "client_room_end"})
        else:
            room = await database_sync_to_async(Room.objects.get)(name="tidy", status="active")
            await database_sync_to_async(room_end)(room=room)
        ended = await client.wait_for("server_session_ended")
        assert ended["reason"] == "admin_ended"
        await asyncio.sleep(0.2)
        leftover = [t for t in asyncio.all_tasks() - before if not t.done() and t is not asyncio.current_task()]
        assert not [t.get_name() for t in leftover if "room" in t.get_name() or "pump" in t.get_name()
                    or "pacer" in t.get_name()]
        await fake.wait_closed(fake.last)
        assert registry().rooms() == []
