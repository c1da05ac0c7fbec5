"""The provider socket's directly written frames: valid RFC 6455 client frames, fresh masks, and a
provider that stops reading still pushes back without anything being lost or reordered."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection, serve
from websockets.frames import Frame, Opcode
from websockets.streams import StreamReader

from agents.realtime.models import client_frames
from agents.realtime.models.client_frames import masked_text_frame
from agents.realtime.models.connection import WRITE_LIMIT, ProviderSocket


def _parse(raw: bytes) -> Frame:
    """Parse with the websockets library's own server-side frame parser, which insists on a mask."""
    reader = StreamReader()
    reader.feed_data(raw)
    reader.feed_eof()
    parser = Frame.parse(reader.read_exact, mask=True, max_size=None)
    try:
        next(parser)
    except StopIteration as done:
        frame: Frame = done.value
        assert not reader.buffer  # and nothing after it
        return frame
    raise AssertionError("the frame was incomplete")


@pytest.mark.parametrize("size", [0, 1, 125, 126, 1281, 65535, 65536, 300_000])
def test_every_length_encoding_parses_as_one_final_masked_text_frame(size: int) -> None:
    payload = ("é" * size).encode()[:size]
    frame = _parse(masked_text_frame(payload))
    assert (frame.opcode, frame.fin, frame.data) == (Opcode.TEXT, True, payload)


def test_masks_are_fresh_for_every_frame_across_draws() -> None:
    keys = client_frames.MaskKeys()
    drawn = [keys.next() for _ in range(3 * client_frames._KEYS_PER_DRAW)]
    assert all(len(k) == 4 for k in drawn)
    assert len(set(drawn)) > len(drawn) * 0.99  # 32-bit keys: a handful of repeats at most
    masked = {masked_text_frame(b"same payload") for _ in range(100)}
    assert len(masked) > 95


async def test_a_provider_that_stops_reading_pushes_back_and_loses_nothing() -> None:
    reading = asyncio.Event()
    received: list[int] = []
    done = asyncio.Event()
    total = 120
    chunk = "x" * 256 * 1024  # 30 MB in all: far more than the kernel and the peer's queue will hold

    async def provider(ws: ServerConnection) -> None:
        await reading.wait()
        async for raw in ws:
            received.append(json.loads(raw)["n"])
            if len(received) == total:
                done.set()

    async with serve(provider, "127.0.0.1", 0, max_size=None) as server:
        port = server.sockets[0].getsockname()[1]
        socket = ProviderSocket(lambda frame: [], name="provider")
        await socket.open(f"ws://127.0.0.1:{port}", {})
        sent = 0

        async def send_all() -> None:
            nonlocal sent
            for n in range(total):
                await socket.send(f'{{"n":{n},"pad":"{chunk}"}}')
                sent += 1

        sender = asyncio.create_task(send_all())
        try:
            await asyncio.sleep(1.0)
            assert not sender.done() and sent < total  # blocked: the provider is not reading
            # Bounded: a direct write below the limit, then the library's send, which writes its frame
            # before it waits for the buffer to drain.
            transport: Any = socket._ws.transport  # type: ignore[union-attr]
            assert transport.get_write_buffer_size() < WRITE_LIMIT + 2 * (len(chunk) + 64)
        finally:
            reading.set()  # else a failure above would leave the server waiting for its handler forever
        async with asyncio.timeout(20):
            await sender
            await done.wait()
        await socket.close()
    assert received == list(range(total))
