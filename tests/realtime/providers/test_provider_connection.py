"""The provider connection's own reading of server frames, against a provider written at the byte level.

Each scripted byte stream is read twice, by the ``websockets`` library's own ``ClientConnection`` and by
``ProviderConnection``: the messages, the close code and what the client wrote back (pongs, the close
reply) must be the same, wherever the stream is cut into reads, on both event loops the servers run.
"""

from __future__ import annotations

import asyncio
import random
import re
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosedError
from websockets.frames import Close, Frame, Opcode
from websockets.streams import StreamReader
from websockets.utils import accept_key

from agents.realtime.models import provider_connection
from agents.realtime.models.provider_connection import ProviderConnection

Cuts = Callable[[bytes], Iterator[bytes]]


def frame(opcode: Opcode, data: bytes, *, fin: bool = True) -> bytes:
    return Frame(opcode, data, fin=fin).serialize(mask=False, extensions=[])


def close(code: int, reason: str = "") -> bytes:
    return frame(Opcode.CLOSE, Close(code, reason).serialize())


def whole(stream: bytes) -> Iterator[bytes]:
    yield stream


def bytewise_then_chunks(stream: bytes) -> Iterator[bytes]:
    """Byte by byte through the handshake's end and the first frame headers, then odd-sized chunks."""
    head = stream.index(b"\r\n\r\n") + 4
    yield from (stream[i:i + 1] for i in range(head + 40))
    at = head + 40
    while at < len(stream):
        yield stream[at:at + 997]
        at += 997


def marker_split(stream: bytes) -> Iterator[bytes]:
    """The response's blank line cut in two, and the frames after it in the same read as its end."""
    head = stream.index(b"\r\n\r\n") + 4
    yield stream[:head - 3]
    yield stream[head - 3:]


def random_cuts(stream: bytes) -> Iterator[bytes]:
    rng = random.Random(7)
    at = 0
    while at < len(stream):
        step = rng.choice([1, 2, 3, 9, 130, 4096, 70_000])
        yield stream[at:at + step]
        at += step


CUTS: dict[str, Cuts] = {"whole": whole, "bytewise": bytewise_then_chunks, "marker-split": marker_split,
                         "random": random_cuts}


@dataclass
class RawProvider:
    """Answers the opening handshake, then writes the scripted frames in the given pieces (the response's
    end and the first frames share a write) and keeps everything the client writes back."""

    frames: bytes
    cuts: Cuts = whole
    pause_s: float = 0.001
    hang_up: bool = False  # close the TCP connection once everything is written
    from_client: bytes = b""
    wrote_everything: asyncio.Event = field(default_factory=asyncio.Event)

    async def __aenter__(self) -> str:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return f"ws://127.0.0.1:{self._server.sockets[0].getsockname()[1]}/"

    async def __aexit__(self, *exc: object) -> None:
        self._server.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = await reader.readuntil(b"\r\n\r\n")
        key = re.search(rb"(?i)sec-websocket-key: *(\S+)", request)
        assert key is not None
        response = (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    b"Sec-WebSocket-Accept: " + accept_key(key.group(1).decode()).encode() + b"\r\n\r\n")
        for piece in self.cuts(response + self.frames):
            writer.write(piece)
            await writer.drain()
            await asyncio.sleep(self.pause_s)  # separate reads on the client, most of the time
        self.wrote_everything.set()
        if not self.hang_up:
            # A server closes TCP once it has the client's close frame, which the client waits for.
            while not any(op is Opcode.CLOSE for op, _ in client_frames(self.from_client)):
                chunk = await reader.read(65536)
                if not chunk:
                    break
                self.from_client += chunk
        writer.close()


def client_frames(raw: bytes) -> list[tuple[Opcode, bytes]]:
    """The whole frames the client wrote, parsed by the library's server-side parser (which insists on
    masks)."""
    reader = StreamReader()
    reader.feed_data(raw)
    reader.feed_eof()
    parsed = []
    while reader.buffer:
        parser = Frame.parse(reader.read_exact, mask=True, max_size=None)
        try:
            next(parser)
        except StopIteration as done:
            parsed.append((done.value.opcode, bytes(done.value.data)))
            continue
        except EOFError:
            break  # the rest has not arrived yet
    return parsed


@dataclass
class Outcome:
    messages: list[bytes]
    close_code: int | None
    wrote_back: list[tuple[Opcode, bytes]]
    fast_at_first_message: bool = field(default=False, compare=False)  # ours read it without the library


async def read_all(script: bytes, cuts: Cuts, ours: bool, max_size: int = 2**20,
                   hang_up: bool = False) -> Outcome:
    provider = RawProvider(script, cuts, hang_up=hang_up)
    async with provider as url, asyncio.timeout(20):
        ws: ClientConnection
        messages: list[bytes] = []
        fast = False
        if ours:
            ws = await connect(url, create_connection=ProviderConnection, compression=None, max_size=max_size)
            assert isinstance(ws, ProviderConnection)
            while (message := await ws.next_message()) is not None:
                fast = fast or (not messages and ws.reading_frames)
                messages.append(message)
        else:
            ws = await connect(url, compression=None, max_size=max_size)
            try:
                async for raw in ws:
                    messages.append(raw.encode() if isinstance(raw, str) else raw)
            except ConnectionClosedError:  # the library's iterator raises after an error; ours ends
                pass
        await ws.wait_closed()
        await provider.wrote_everything.wait()
    return Outcome(messages, ws.close_code, client_frames(provider.from_client), fast)


async def same_as_the_library(script: bytes, cuts: Cuts, max_size: int = 2**20,
                              hang_up: bool = False) -> Outcome:
    library = await read_all(script, cuts, ours=False, max_size=max_size, hang_up=hang_up)
    ours = await read_all(script, cuts, ours=True, max_size=max_size, hang_up=hang_up)
    assert ours == library
    return ours


@pytest.mark.parametrize("cut", CUTS)
async def test_messages_pings_and_close_are_read_as_the_library_reads_them(cut: str) -> None:
    big = ("ø" * 38_400).encode()  # 76,800 bytes: the 8-byte length form
    script = (frame(Opcode.TEXT, b'{"type":"session.created"}')
              + frame(Opcode.BINARY, b"\x00\x01" * 150)
              + frame(Opcode.PING, b"p1")
              + frame(Opcode.TEXT, b"x" * 200)  # the 2-byte length form
              + frame(Opcode.TEXT, big)
              + frame(Opcode.PONG, b"unsolicited")
              + frame(Opcode.TEXT, b"after")
              + frame(Opcode.TEXT, b"")
              + close(1000, "bye"))
    outcome = await same_as_the_library(script, CUTS[cut])
    assert outcome.messages == [b'{"type":"session.created"}', b"\x00\x01" * 150, b"x" * 200, big,
                                b"after", b""]
    assert outcome.close_code == 1000
    assert outcome.wrote_back == [(Opcode.PONG, b"p1"), (Opcode.CLOSE, Close(1000, "bye").serialize())]
    assert outcome.fast_at_first_message  # the frame after the handshake was read on the fast path


@pytest.mark.parametrize("cut", CUTS)
async def test_a_fragmented_message_is_joined_and_later_messages_keep_their_order(cut: str) -> None:
    script = (frame(Opcode.TEXT, b"one")
              + frame(Opcode.TEXT, b"fr", fin=False)
              + frame(Opcode.PING, b"between fragments")
              + frame(Opcode.CONT, b"agm", fin=False)
              + frame(Opcode.CONT, b"ent", fin=True)
              + frame(Opcode.BINARY, b"two")
              + close(1000))
    outcome = await same_as_the_library(script, CUTS[cut])
    assert outcome.messages == [b"one", b"fragment", b"two"]
    assert (Opcode.PONG, b"between fragments") in outcome.wrote_back


def _masked(data: bytes) -> bytes:
    return Frame(Opcode.TEXT, data).serialize(mask=True, extensions=[])


def _with_rsv1(raw: bytes) -> bytes:
    return bytes([raw[0] | 0x40]) + raw[1:]


@pytest.mark.parametrize(("bad", "code"), [
    pytest.param(_masked(b"masked by the server"), 1002, id="masked"),
    pytest.param(_with_rsv1(frame(Opcode.TEXT, b"compressed?")), 1002, id="rsv1"),
    pytest.param(bytes([0x83, 0x00]), 1002, id="reserved-opcode"),
    pytest.param(frame(Opcode.CONT, b"no start"), 1002, id="continuation-alone"),
    pytest.param(bytes([0x09, 0x01]) + b"p", 1002, id="fragmented-ping"),
    pytest.param(bytes([0x89, 126]) + struct.pack("!H", 200) + b"p" * 200, 1002, id="long-ping"),
    pytest.param(frame(Opcode.TEXT, b"y" * 5000), 1009, id="too-big"),
])
async def test_a_protocol_error_fails_the_connection_as_the_library_does(bad: bytes, code: int) -> None:
    script = frame(Opcode.TEXT, b"before") + bad + frame(Opcode.TEXT, b"never read")
    outcome = await same_as_the_library(script, bytewise_then_chunks, max_size=4096)
    assert outcome.messages == [b"before"]
    [(opcode, data)] = outcome.wrote_back  # the client failed the connection with this close frame
    assert opcode is Opcode.CLOSE and Close.parse(data).code == code


async def test_a_frame_cut_short_by_the_end_of_the_stream_ends_with_1006() -> None:
    script = frame(Opcode.TEXT, b"whole") + frame(Opcode.TEXT, b"z" * 3000)[:1500]
    outcome = await same_as_the_library(script, random_cuts, hang_up=True)
    assert outcome.messages == [b"whole"]
    assert outcome.close_code == 1006


async def test_a_reader_that_falls_behind_stops_the_socket_reading_and_loses_nothing() -> None:
    count, size = 3000, 4096  # 12 MB: more than the kernel's buffers hold
    script = b"".join(frame(Opcode.TEXT, n.to_bytes(4, "big") + b"." * (size - 4)) for n in range(count))
    provider = RawProvider(script + close(1000), cuts=lambda s: (s[i:i + 65536] for i in range(0, len(s), 65536)),
                           pause_s=0)
    async with provider as url, asyncio.timeout(30):
        ws = await connect(url, create_connection=ProviderConnection, compression=None)
        assert isinstance(ws, ProviderConnection)
        await asyncio.sleep(0.5)
        assert not provider.wrote_everything.is_set()  # TCP pushed back on the provider
        assert not ws.transport.is_reading()
        # One read can carry many frames past the mark, but no more than one read holds.
        assert ws._inbox.qsize() <= provider_connection.QUEUE_HIGH + 65536 // size + 1
        seen = []
        while (message := await ws.next_message()) is not None:
            seen.append(int.from_bytes(message[:4], "big"))
    assert seen == list(range(count))
    assert ws.close_code == 1000


async def test_closing_a_socket_paused_for_back_pressure_gets_the_close_reply_at_once() -> None:
    # The bridge closes a provider socket it has stopped reading (a room ends mid-answer); a socket
    # that stayed paused never read the provider's close reply and waited out the 10 s close timeout.
    script = b"".join(frame(Opcode.TEXT, b"." * 4096) for _ in range(3000)) + close(1000)
    provider = RawProvider(script, cuts=lambda s: (s[i:i + 65536] for i in range(0, len(s), 65536)), pause_s=0)
    async with provider as url:
        ws = await connect(url, create_connection=ProviderConnection, compression=None)
        assert isinstance(ws, ProviderConnection)
        await asyncio.sleep(0.5)
        assert not ws.transport.is_reading()
        loop = asyncio.get_running_loop()
        started = loop.time()
        await ws.close()
        took = loop.time() - started
    assert ws.close_code == 1000  # the provider's reply arrived: not 1006 after a timeout
    assert took < 5, f"close took {took:.1f} s"
    assert await ws.next_message() is None


async def test_the_librarys_reading_api_fails_loudly_instead_of_waiting_forever() -> None:
    async with RawProvider(frame(Opcode.TEXT, b"queued") + close(1000)) as url, asyncio.timeout(10):
        ws = await connect(url, create_connection=ProviderConnection, compression=None)
        with pytest.raises(TypeError, match="next_message"):
            await ws.recv()
        with pytest.raises(TypeError, match="next_message"):
            async for _ in ws:
                pass
        assert isinstance(ws, ProviderConnection)
        assert await ws.next_message() == b"queued"  # nothing was taken from the queue
        await ws.close()
