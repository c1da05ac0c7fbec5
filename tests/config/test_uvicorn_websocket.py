"""The uvicorn WebSocket protocol the README documents (``config.uvicorn_websocket``), served by a
real uvicorn to a real ``websockets`` client: messages of every length class arrive whole and in
order, and whatever its fast path hands back to the stock protocol (fragments, pings, bad UTF-8,
oversized frames, frames sent before the upgrade's answer) is answered as before."""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
import uvicorn
import websockets
from websockets.frames import apply_mask
from websockets.utils import accept_key, generate_key

from config.uvicorn_websocket import QUEUE_HIGH, RoomWebSocketProtocol

MAX_SIZE = 1 << 20


class EchoApp:
    """Accepts (after ``accept_delay`` seconds), then sends every message back as it came; ``hold``
    stops it reading for a while."""

    def __init__(self) -> None:
        self.accept_delay = 0.0
        self.disconnects: list[int] = []
        self.hold = asyncio.Event()
        self.hold.set()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert scope["type"] == "websocket"
        assert (await receive())["type"] == "websocket.connect"
        await asyncio.sleep(self.accept_delay)
        await send({"type": "websocket.accept"})
        while True:
            await self.hold.wait()
            message = await receive()
            if message["type"] == "websocket.disconnect":
                self.disconnects.append(message["code"])
                return
            await send({"type": "websocket.send", **{k: message[k] for k in ("text", "bytes") if message.get(k)
                                                     is not None}})


@pytest.fixture
async def served() -> AsyncIterator[tuple[str, EchoApp, uvicorn.Server]]:
    app = EchoApp()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, ws=RoomWebSocketProtocol,
                                           ws_max_size=MAX_SIZE, lifespan="off", log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    yield f"ws://127.0.0.1:{port}/", app, server
    server.should_exit = True
    await task


def masked(opcode: int, payload: bytes, fin: bool = True) -> bytes:
    key = os.urandom(4)
    n = len(payload)
    length = bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + n.to_bytes(2, "big")
    return bytes([(0x80 if fin else 0) | opcode]) + length + key + apply_mask(payload, key)


async def _receive(ws: Any, n: int) -> list[str | bytes]:
    return [await ws.recv() for _ in range(n)]


async def test_messages_of_every_length_arrive_whole_and_in_order(served: Any) -> None:
    url, _app, _server = served
    sizes = [0, 1, 125, 126, 127, 65535, 65536, 300_000] + [(i * 7919) % 20_000 for i in range(300)]
    async with websockets.connect(url, max_size=None, compression=None) as ws:
        sent: list[str | bytes] = [("x" * n if i % 2 else os.urandom(n)) for i, n in enumerate(sizes)]

        async def send_all() -> None:  # no waiting for replies: frames share reads and span reads
            for message in sent:
                await ws.send(message)

        _, echoed = await asyncio.gather(send_all(), _receive(ws, len(sent)))
    assert echoed == sent


async def test_fragmented_messages_pings_and_the_close_handshake_still_work(served: Any) -> None:
    url, app, _server = served
    async with websockets.connect(url, compression=None) as ws:
        await ws.send("before")
        assert await ws.recv() == "before"
        await ws.send(["frag", "ment", "ed"])  # a fragmented message: the stock protocol takes over
        assert await ws.recv() == "fragmented"
        await ws.send("after")
        assert await ws.recv() == "after"
        assert await asyncio.wait_for(await ws.ping(b"p"), 5) >= 0
    await asyncio.sleep(0.1)
    assert app.disconnects == [1000]


async def _raw_open(url: str, early: bytes = b"") -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    port = int(url.rsplit(":", 1)[1].strip("/"))
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    key = generate_key()
    writer.write((f"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    if early:  # a read of its own: uvicorn's HTTP layer drops bytes that share the request's read
        await asyncio.sleep(0.1)
        writer.write(early)
    head = await reader.readuntil(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 101") and accept_key(key).encode() in head
    return reader, writer


async def _read_frame(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    first, second = await reader.readexactly(2)
    n = second & 0x7F
    if n == 126:
        n = int.from_bytes(await reader.readexactly(2), "big")
    elif n == 127:
        n = int.from_bytes(await reader.readexactly(8), "big")
    return first & 0x0F, await reader.readexactly(n)


async def test_frames_sent_before_the_upgrade_answer_are_read_after_it(served: Any) -> None:
    url, app, _server = served
    app.accept_delay = 0.3
    reader, writer = await _raw_open(url, early=masked(0x1, b"early") + masked(0x2, b"\x00\x01"))
    assert await asyncio.wait_for(_read_frame(reader), 5) == (0x1, b"early")
    assert await asyncio.wait_for(_read_frame(reader), 5) == (0x2, b"\x00\x01")
    writer.close()


@pytest.mark.parametrize(("frame", "code"), [
    (masked(0x1, b"\xff\xfe not utf-8"), 1007),
    (bytes([0x82, 0x80 | 127]) + (MAX_SIZE + 1).to_bytes(8, "big") + os.urandom(4), 1009),  # its head is enough
    (bytes([0x81, 5]) + b"plain", 1002),  # a client frame must be masked
])
async def test_bad_frames_get_the_stock_protocols_close_code(served: Any, frame: bytes, code: int) -> None:
    url, app, _server = served
    reader, writer = await _raw_open(url)
    writer.write(masked(0x1, b"fine"))
    assert await asyncio.wait_for(_read_frame(reader), 5) == (0x1, b"fine")
    writer.write(frame)
    opcode, payload = await asyncio.wait_for(_read_frame(reader), 5)
    assert (opcode, int.from_bytes(payload[:2], "big")) == (0x8, code)
    writer.close()
    await asyncio.sleep(0.1)
    assert app.disconnects == [code]


async def test_a_slow_application_stops_the_socket_being_read(served: Any) -> None:
    url, app, server = served
    app.hold.clear()
    async with websockets.connect(url, max_size=None, compression=None) as ws:
        messages = [bytes([i]) * 65536 for i in range(100)]
        sending = asyncio.ensure_future(asyncio.gather(*(ws.send(m) for m in messages)))
        await asyncio.sleep(0.5)
        (protocol,) = server.server_state.connections
        assert isinstance(protocol, RoomWebSocketProtocol)
        assert protocol.read_paused
        assert QUEUE_HIGH <= protocol.queue.qsize() < 40  # not all 100: the rest wait in the kernel
        app.hold.set()
        _, echoed = await asyncio.gather(sending, _receive(ws, len(messages)))
        assert echoed == messages
        assert not protocol.read_paused
