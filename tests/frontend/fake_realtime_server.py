"""A loopback WebSocket server that speaks the server side of the AgentScope v1 events.

It stands in for the platform's consumers (built separately) so the browser's protocol client
can be tested on its own: each test gives it a script, a coroutine that reads the client's
frames and sends events, and afterwards inspects everything the browser sent.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

from websockets.asyncio.server import ServerConnection, serve

Script = Callable[["Peer"], Awaitable[None]]


class Peer:
    def __init__(self, ws: ServerConnection) -> None:
        self.ws = ws
        self.received: list[dict[str, Any]] = []

    async def recv(self, event_type: str, timeout: float = 10) -> dict[str, Any]:
        """The next client frame of ``event_type`` (others are kept in ``received`` too)."""
        async with asyncio.timeout(timeout):
            while True:
                event = json.loads(await self.ws.recv())
                self.received.append(event)
                if event["type"] == event_type:
                    return event

    async def send(self, event: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(event))

    async def send_raw(self, text: str) -> None:
        await self.ws.send(text)

    async def close(self, code: int, reason: str) -> None:
        await self.ws.close(code, reason)


class FakeRealtimeServer:
    def __init__(self, script: Script) -> None:
        self.script = script
        self.peers: list[Peer] = []
        self.errors: list[BaseException] = []
        self.url = ""

    async def handler(self, ws: ServerConnection) -> None:
        peer = Peer(ws)
        self.peers.append(peer)
        try:
            await self.script(peer)
            await ws.wait_closed()
        except Exception as exc:
            self.errors.append(exc)
            raise


def _finish(stop: asyncio.Future[None] | None) -> None:
    if stop is not None and not stop.done():
        stop.set_result(None)


@contextmanager
def fake_realtime_server(script: Script) -> Iterator[FakeRealtimeServer]:
    """Run the server on its own loop in a thread (the test thread belongs to Playwright)."""
    server = FakeRealtimeServer(script)
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    stop: asyncio.Future[None] | None = None

    async def main() -> None:
        nonlocal stop
        stop = loop.create_future()
        async with serve(server.handler, "127.0.0.1", 0) as ws_server:
            port = next(iter(ws_server.sockets)).getsockname()[1]
            server.url = f"ws://127.0.0.1:{port}/ws/test"
            ready.set()
            await stop

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    if not ready.wait(10):
        raise RuntimeError("fake realtime server did not start")
    try:
        yield server
    finally:
        loop.call_soon_threadsafe(_finish, stop)
        thread.join(10)
        loop.close()
