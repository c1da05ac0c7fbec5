"""A room hosted by one daphne process receives events that start in another process."""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets
from asgiref.sync import sync_to_async

from agents.services.agents import agent_create
from rooms.models import Room
from tests.rooms.live.conftest import mint
from tests.support.platform_server import platform_server

pytestmark = pytest.mark.django_db(transaction=True)


async def _recv_until(ws, kind: str, timeout: float = 10.0) -> dict:
    async with asyncio.timeout(timeout):
        while True:
            event = json.loads(await ws.recv())
            if event["type"] == kind:
                return event


async def test_rest_calls_in_this_process_reach_a_room_hosted_by_daphne(world, api_as, settings):
    assert settings.REDIS_URL, "the cross-process test needs the channels-redis layer (make test sets REDIS_URL)"
    await sync_to_async(agent_create)(organization=world.acme, name="Echo", slug="echo", provider="local",
                                      is_default=True)
    token = mint(world.acme_key, world.acme_secret, identity="alice", room="shared")
    with platform_server(LOCAL_MODEL_SPEED="8") as base:
        url = base.replace("http://", "ws://") + f"/ws/room?access_token={token}"
        async with websockets.connect(url, origin="http://localhost") as ws:
            await _recv_until(ws, "server_session_created")
            room = await sync_to_async(Room.objects.get)(name="shared", status="active")
            api = api_as(key=world.acme_key, secret=world.acme_secret)
            listed = await sync_to_async(api.get)("/api/rooms/")
            assert [r["name"] for r in listed.json()] == ["shared"] and listed.json()[0]["people"] == 1
            r = await sync_to_async(api.post)(f"/api/rooms/{room.sid}/data/",
                                              {"payload": "from another process", "topic": "ops"}, format="json")
            assert r.status_code == 202
            got = await _recv_until(ws, "room_data_received")
            assert got["payload"] == "from another process" and got["topic"] == "ops"
            await sync_to_async(api.post)(f"/api/rooms/{room.sid}/metadata/", {"metadata": "m2"}, format="json")
            assert (await _recv_until(ws, "room_metadata_changed"))["metadata"] == "m2"
            assert (await sync_to_async(api.post)(f"/api/rooms/{room.sid}/end/")).status_code == 202
            ended = await _recv_until(ws, "server_session_ended")
            assert ended["reason"] == "admin_ended"
            with pytest.raises(websockets.ConnectionClosed):
                while True:
                    await asyncio.wait_for(ws.recv(), 10)
        await sync_to_async(room.refresh_from_db)()
        assert room.status == "ended" and room.end_reason == "admin_ended"
