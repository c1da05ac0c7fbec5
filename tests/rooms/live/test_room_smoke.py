from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from agents.services.agents import agent_create
from rooms.models import Participant, Room, Session
from tests.rooms.live.conftest import mint

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def default_agent(world):
    return agent_create(organization=world.acme, name="Echo", slug="echo", provider="local", is_default=True)


async def test_it_joins_a_room_and_talks_to_the_default_agent(world, default_agent, clients):
    client = clients(f"/ws/room?access_token={mint(world.acme_key, world.acme_secret)}")
    assert await client.connect()
    joined = await client.wait_for("room_joined")
    assert joined["room"]["name"] == "lobby"
    assert [a["agent_name"] for a in joined["agents"]] == ["Echo"]
    await client.wait_for("server_session_created")
    await client.send({"type": "client_text_append", "text": "hello there"})
    done = await client.wait_for("agent_response_audio_transcript_done", timeout=20)
    assert "hello there" in done["transcript"]
    await client.wait_for("agent_response_done", timeout=20)
    await client.disconnect()
    room = await database_sync_to_async(Room.objects.get)(name="lobby")
    assert await database_sync_to_async(Participant.objects.filter(room=room, identity="alice").exists)()
    assert await database_sync_to_async(Session.objects.filter(room=room).count)() == 1
