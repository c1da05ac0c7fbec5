"""A ``websockets`` client connection that reads a provider's ordinary messages without the library's
per-frame machinery.

A provider sends about 50 messages a second per session (audio deltas), each one whole, unfragmented
and unmasked. Through ``websockets`` every message costs about 12 µs of CPU on the build machine: a
generator-based parser, a ``Frame`` object, the message assembler's queue and a decode. Here each
complete final text or binary frame that arrives while the connection is open is cut out of the
received bytes and queued as it is (``bytes``; the JSON parser takes them directly).

The library still owns everything else, and always sees whole frames, so its parser is never left
mid-frame: the handshake (fed up to the end of the HTTP response, so frame parsing here starts on a
frame boundary), pings, pongs, close frames and their replies. A fragmented message, a reserved
opcode or RSV bit, a masked frame, an oversized frame or a frame after the close handshake began
hands the rest of the stream to the library for good; its parser raises the protocol errors and its
messages still reach the same queue in order. Text is not checked for UTF-8 here: the JSON parser
rejects a bad frame and the provider socket skips that one frame, where the library's ``recv`` would
have raised. Back-pressure is kept: past ``QUEUE_HIGH`` queued messages the transport stops reading
until the reader has taken them down to ``QUEUE_LOW``. ``bench/provider_socket.py`` measures both
paths. Writes are held to the end of the event loop's tick (``agents.realtime.tick_transport``).
"""

from __future__ import annotations

from typing import Any

from websockets.asyncio.client import ClientConnection
from websockets.frames import DATA_OPCODES, Frame
from websockets.protocol import State

from agents.realtime.frame_reader import QUEUE_HIGH, QUEUE_LOW, FrameReader
from agents.realtime.inbox import Inbox
from agents.realtime.tick_transport import TickWrites


class ProviderConnection(TickWrites, FrameReader, ClientConnection):
    """Read with ``next_message()`` by one task at a time; ``recv()`` and ``async for`` raise."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._handshaking = True
        self.init_frame_reader()
        self._inbox: Inbox[bytes] = Inbox()
        self._fragments: list[bytes] = []
        self._ended = False
        self._reading_paused = False
        self._discarding = False  # closed by us: messages still arriving are no one's to read

    async def next_message(self) -> bytes | None:
        """The next message's payload, or ``None`` once the connection has closed and every message
        that arrived before has been read. Cancelling it loses nothing."""
        while self._inbox.empty():
            if self._ended:
                return None
            await self._inbox.wait()
        message = self._inbox.get_nowait()
        if self._reading_paused and self._inbox.qsize() <= QUEUE_LOW:
            self._reading_paused = False
            self.transport.resume_reading()
        return message

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close, dropping what was not read. Whoever closes has finished reading, and the socket must
        read on for the provider's close reply to arrive: paused for back-pressure, it would wait out
        the library's close timeout (10 s) with the provider's socket, and its bill, still open."""
        self._discarding = True
        self._inbox.clear()
        if self._reading_paused:
            self._reading_paused = False
            if not self.transport.is_closing():
                self.transport.resume_reading()
        await super().close(code, reason)

    async def recv(self, decode: bool | None = None) -> Any:
        """Messages go to ``next_message()``; the library's queue is never fed, so waiting on it would
        hang forever."""
        raise TypeError("ProviderConnection is read with next_message()")

    # --- asyncio protocol callbacks ------------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        if self.reading_frames:
            self.feed_frames(data)
        elif self._handshaking:
            self._read_handshake(data)
        else:
            super().data_received(data)

    def eof_received(self) -> None:
        if self.reading_frames and (pending := self.take_pending()):  # a frame cut short: the library reports it
            self.give_up_frames(pending)
        super().eof_received()

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        self._ended = True
        self._inbox.wake()

    def process_event(self, event: Any) -> None:
        """Messages the library parsed (the handshake's spill-over, or everything after it gave up the
        fast path) join the same queue; the library has already checked the fragment sequence."""
        if self.response is None or not isinstance(event, Frame) or event.opcode not in DATA_OPCODES:
            super().process_event(event)
            return
        if event.fin and not self._fragments:
            self._deliver(bytes(event.data))
            return
        self._fragments.append(bytes(event.data))
        if event.fin:
            self._deliver(b"".join(self._fragments))
            self._fragments.clear()

    # --- internals -----------------------------------------------------------------------------------

    def _read_handshake(self, data: bytes) -> None:
        rest = self.pass_head(data)
        if rest is None:
            return
        self._handshaking = False
        if self.protocol.state is State.OPEN:
            self.reading_frames = True
            self.feed_frames(rest)
        elif rest:
            super().data_received(rest)

    # --- the frame reader's hooks ----------------------------------------------------------------------

    def frames_allowed(self, length: int) -> bool:
        max_size = self.protocol.max_message_size
        return (max_size is None or length <= max_size) and self.protocol.state is State.OPEN

    def on_data_frame(self, opcode: int, payload: bytes) -> bool:
        self._deliver(payload)
        return True

    def _deliver(self, message: bytes) -> None:
        if self._discarding:
            return
        self._inbox.put_nowait(message)
        if not self._reading_paused and self._inbox.qsize() >= QUEUE_HIGH and not self.transport.is_closing():
            self._reading_paused = True
            self.transport.pause_reading()
