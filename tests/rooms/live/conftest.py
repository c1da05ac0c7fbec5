"""Helpers for driving the real WebSocket stack (middleware included) in-process."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connections

from rooms.grants.builder import mint as mint_token
from rooms.grants.claims import VideoGrant

ORIGIN = (b"origin", b"http://localhost")


def application() -> Any:
    from config.asgi import application as app

    return app


class Client:
    """A WebSocket client of the real ASGI application, collecting every event it receives."""

    def __init__(self, path: str):
        self.comm = WebsocketCommunicator(application(), path, headers=[ORIGIN])
        self.events: list[dict[str, Any]] = []
        self.closed: dict[str, Any] | None = None

    async def connect(self) -> bool:
        connected, _ = await self.comm.connect(timeout=10)
        return bool(connected)

    async def send(self, event: dict[str, Any]) -> None:
        await self.comm.send_to(text_data=json.dumps(event))

    async def send_raw(self, text: str) -> None:
        await self.comm.send_to(text_data=text)

    async def _next(self, timeout: float) -> dict[str, Any] | None:
        message = await self.comm.receive_output(timeout)
        if message["type"] == "websocket.close":
            self.closed = message
            return None
        if message["type"] == "websocket.send":
            event = json.loads(message["text"])
            self.events.append(event)
            return event
        return await self._next(timeout)

    async def wait_for(self, predicate: Callable[[dict[str, Any]], bool] | str, timeout: float = 10.0) -> dict[str, Any]:
        match = (lambda e: e.get("type") == predicate) if isinstance(predicate, str) else predicate
        for seen in self.events:
            if match(seen):
                return seen
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise AssertionError(f"timed out waiting; got {[e.get('type') for e in self.events]}")
            try:
                event = await self._next(left)
            except TimeoutError:
                raise AssertionError(f"timed out waiting; got {[e.get('type') for e in self.events]}") from None
            if event is None:
                raise AssertionError(f"socket closed {self.closed} while waiting; got {[e.get('type') for e in self.events]}")
            if match(event):
                return event

    async def wait_closed(self, timeout: float = 10.0) -> dict[str, Any]:
        deadline = asyncio.get_running_loop().time() + timeout
        while self.closed is None:
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise AssertionError("socket did not close")
            try:
                await self._next(left)
            except TimeoutError:
                raise AssertionError("socket did not close") from None
        return self.closed

    def types(self) -> list[str]:
        return [e["type"] for e in self.events]

    async def disconnect(self) -> None:
        if self.closed is None:
            await self.comm.disconnect()


def mint(key: str, secret: str, *, identity: str = "alice", room: str = "lobby", room_config: dict | None = None,
         name: str = "", metadata: str = "", attributes: dict[str, str] | None = None, **video: Any) -> str:
    grant = VideoGrant(room_join=video.pop("room_join", True), room=room, **video)
    return mint_token(key, secret, identity=identity, video=grant, room_config=room_config, name=name,
                      metadata=metadata, attributes=attributes)


def tone(seconds: float, rate: int = 16000, amplitude: float = 0.3) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    return (np.sin(2 * np.pi * 220 * t) * amplitude * 32767).astype("<i2").tobytes()


def audio_event(pcm: bytes, rate: int = 16000) -> dict[str, Any]:
    return {"type": "client_audio_append", "audio": base64.b64encode(pcm).decode(),
            "format": {"type": "audio/pcm", "rate": rate}}


@pytest.fixture
async def clients() -> Any:
    """Makes clients; afterwards disconnects them and ends every room the test left running."""
    from rooms.runtime.registry import registry

    made: list[Client] = []

    def make(path: str) -> Client:
        client = Client(path)
        made.append(client)
        return client

    yield make
    for client in made:
        try:
            await client.disconnect()
        except (Exception, asyncio.CancelledError):  # noqa: S110 - already closed by the server
            pass
    await registry().shutdown("process_shutdown")
    # The ORM thread of database_sync_to_async keeps a connection; close it so the test database drops.
    await sync_to_async(connections.close_all)()


@pytest.fixture
def fast_local(settings: Any) -> None:
    """The local model streams 8x faster than real time: replies arrive in a fraction of the time."""
    settings.LOCAL_MODEL_SPEED = 8.0


@pytest.fixture
def echo(world: Any) -> Any:
    """The organization's default agent: the offline local model, which echoes what it hears."""
    from agents.services.agents import agent_create

    return agent_create(organization=world.acme, name="Echo", slug="echo", provider="local", is_default=True)


async def default_openai_agent(world: Any, fake_url: str, api_key: str) -> None:
    """Make an ``openai`` agent on the fake provider at ``fake_url`` the organization's default."""
    from agents.services.agents import agent_create
    from agents.services.credentials import provider_credential_create

    def create() -> None:
        credential = provider_credential_create(organization=world.acme, name="fake openai", provider="openai",
                                                api_key=api_key, base_url=fake_url)
        agent_create(organization=world.acme, name="Oa", slug="oa", provider="openai", credential=credential,
                     is_default=True)

    await sync_to_async(create)()
