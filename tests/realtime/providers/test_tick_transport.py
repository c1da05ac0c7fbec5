"""``TickTransport`` over a real socket pair: what a tick writes reaches the peer when the tick ends, in
order and whole; closing writes what is held, aborting drops it; back-pressure still sees it."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from agents.realtime.tick_transport import HOLD_LIMIT, TickTransport


@dataclass
class Pair:
    transport: TickTransport
    protocol: asyncio.Protocol
    peer: socket.socket

    def peer_bytes(self) -> bytes:
        """What the peer can read right now, without waiting."""
        out = bytearray()
        while True:
            try:
                chunk = self.peer.recv(1 << 20, socket.MSG_DONTWAIT)
            except BlockingIOError:
                return bytes(out)
            if not chunk:
                return bytes(out)
            out += chunk

    async def peer_reads_until_eof(self) -> bytes:
        out = bytearray()
        loop = asyncio.get_running_loop()
        while chunk := await loop.sock_recv(self.peer, 1 << 20):
            out += chunk
        return bytes(out)


@pytest.fixture
async def pair() -> AsyncIterator[Pair]:
    ours, peer = socket.socketpair()
    peer.setblocking(False)
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.create_connection(asyncio.Protocol, sock=ours)
    yield Pair(TickTransport(transport), protocol, peer)
    transport.abort()
    peer.close()


async def one_tick() -> None:
    await asyncio.sleep(0)
    await asyncio.sleep(0)


async def test_a_ticks_writes_reach_the_peer_when_it_ends_in_order(pair: Pair) -> None:
    pair.transport.write(b"one,")
    pair.transport.write(bytearray(b"two,"))
    pair.transport.writelines([b"three,", memoryview(b"four")])
    assert pair.peer_bytes() == b""  # held: nothing has been written yet
    assert pair.transport.get_write_buffer_size() == len(b"one,two,three,four")
    await one_tick()
    assert pair.peer_bytes() == b"one,two,three,four"
    assert pair.transport.get_write_buffer_size() == 0
    pair.transport.write(b"five")
    await one_tick()
    assert pair.peer_bytes() == b"five"


async def test_a_buffer_the_caller_reuses_is_copied_when_held(pair: Pair) -> None:
    buffer = bytearray(b"first")
    pair.transport.write(buffer)
    buffer[:] = b"later"
    await one_tick()
    assert pair.peer_bytes() == b"first"


async def test_past_the_hold_limit_writes_go_straight_out(pair: Pair) -> None:
    big = b"x" * HOLD_LIMIT
    pair.transport.write(b"<")
    pair.transport.write(big)
    # Without yielding: the transport has the bytes (written, or in its buffer), none are held back.
    received = pair.peer_bytes()
    assert len(received) + pair.transport.inner.get_write_buffer_size() == HOLD_LIMIT + 1
    assert received.startswith(b"<x")
    pair.transport.write(b">")
    await one_tick()
    received += pair.peer_bytes()
    for _ in range(100):
        if len(received) == HOLD_LIMIT + 2:
            break
        await asyncio.sleep(0.01)
        received += pair.peer_bytes()
    assert received == b"<" + big + b">"


async def test_close_writes_what_is_held_first(pair: Pair) -> None:
    pair.transport.write(b"last words")
    pair.transport.close()
    assert await pair.peer_reads_until_eof() == b"last words"


async def test_abort_drops_what_is_held(pair: Pair) -> None:
    pair.transport.write(b"never sent")
    pair.transport.abort()
    await one_tick()
    assert await pair.peer_reads_until_eof() == b""


async def test_what_is_held_when_the_connection_is_lost_is_dropped_quietly(pair: Pair) -> None:
    errors: list[dict[str, object]] = []
    asyncio.get_running_loop().set_exception_handler(lambda loop, context: errors.append(context))
    pair.transport.write(b"too late")
    pair.transport.inner.close()  # the connection goes away under the writer (a reset, a lost peer)
    await one_tick()
    await asyncio.sleep(0.05)
    assert await pair.peer_reads_until_eof() == b""
    assert errors == []
    pair.transport.write(b"after")  # writing to a closed connection stays a no-op, as on any transport
    await one_tick()
    assert errors == []
