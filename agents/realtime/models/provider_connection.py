"""A ``websockets`` client connection that reads a provider's ordinary messages without the library's
per-frame machinery.

A provider sends about 50 messages a second per session (audio deltas), each one whole, unfragmented
and unmasked. Through ``websockets`` every message costs about 12 µs of CPU on the build machine: a
generator-based parser, a ``Frame`` object, the message assembler's queue and a decode. Here each
complete final text or binary frame that arrives while the connection is open is cut out of the
received bytes and queued as it is (``bytes``; ``json.loads`` takes them directly).

The library still owns everything else, and always sees whole frames, so its parser is never left
mid-frame: the handshake (fed up to the end of the HTTP response, so frame parsing here starts on a
frame boundary), pings, pongs, close frames and their replies. A fragmented message, a reserved
opcode or RSV bit, a masked frame, an oversized frame or a frame after the close handshake began
hands the rest of the stream to the library for good; its parser raises the protocol errors and its
messages still reach the same queue in order. Text is not checked for UTF-8 here: ``json.loads``
rejects a bad frame and the provider socket skips that one frame, where the library's ``recv`` would
have raised. Back-pressure is kept: past ``QUEUE_HIGH`` queued messages the transport stops reading
until the reader has taken them down to ``QUEUE_LOW``. ``bench/provider_socket.py`` measures both
paths.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

from websockets.asyncio.client import ClientConnection
from websockets.frames import BINARY, CLOSE, DATA_OPCODES, TEXT, Frame
from websockets.protocol import State

QUEUE_HIGH = 16
QUEUE_LOW = 4
_FIN = 0x80
_RSV = 0x70
_MASKED = 0x80
_END_OF_HEAD = b"\r\n\r\n"


class ProviderConnection(ClientConnection):
    """Read with ``next_message()`` by one task at a time; ``recv()`` and ``async for`` raise."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._handshaking = True
        self._head_tail = b""  # the last bytes of the response so far, to find its end across reads
        self._fast = False
        self._pending = bytearray()  # the start of a frame that has not fully arrived yet
        self._needed = 0  # how long _pending must be before it is worth parsing again
        self._inbox: deque[bytes] = deque()
        self._fragments: list[bytes] = []
        self._waiter: asyncio.Future[None] | None = None
        self._ended = False
        self._reading_paused = False

    async def next_message(self) -> bytes | None:
        """The next message's payload, or ``None`` once the connection has closed and every message
        that arrived before has been read. Cancelling it loses nothing."""
        while not self._inbox:
            if self._ended:
                return None
            self._waiter = self.loop.create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        message = self._inbox.popleft()
        if self._reading_paused and len(self._inbox) <= QUEUE_LOW:
            self._reading_paused = False
            self.transport.resume_reading()
        return message

    async def recv(self, decode: bool | None = None) -> Any:
        """Messages go to ``next_message()``; the library's queue is never fed, so waiting on it would
        hang forever."""
        raise TypeError("ProviderConnection is read with next_message()")

    # --- asyncio protocol callbacks ------------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        if self._fast:
            if not self._pending:
                self._read_frames(data)
                return
            self._pending += data  # a large frame arrives in many reads: no re-parse, no re-copy
            if len(self._pending) >= self._needed:
                buf = bytes(self._pending)
                self._pending.clear()
                self._read_frames(buf)
        elif self._handshaking:
            self._read_handshake(data)
        else:
            super().data_received(data)

    def eof_received(self) -> None:
        if self._fast and self._pending:  # a frame cut short: the library reports the truncation
            self._fast = False
            super().data_received(bytes(self._pending))
            self._pending.clear()
        super().eof_received()

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        self._ended = True
        self._wake()

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
        probe = self._head_tail + data
        end = probe.find(_END_OF_HEAD)
        if end < 0:
            self._head_tail = probe[-(len(_END_OF_HEAD) - 1):]
            super().data_received(data)
            return
        cut = end + len(_END_OF_HEAD) - len(self._head_tail)
        self._handshaking = False
        super().data_received(data[:cut])
        if self.protocol.state is State.OPEN:
            self._fast = True
            self._read_frames(data[cut:])
        elif len(data) > cut:
            super().data_received(data[cut:])

    def _read_frames(self, buf: bytes) -> None:
        at, size = 0, len(buf)
        max_size = self.protocol.max_message_size
        while size - at >= 2:
            first, second = buf[at], buf[at + 1]
            length, head = second & 0x7F, 2
            if length == 126:
                if size - at < 4:
                    self._wait_for(buf, at, 4)
                    return
                length, head = int.from_bytes(buf[at + 2:at + 4], "big"), 4
            elif length == 127:
                if size - at < 10:
                    self._wait_for(buf, at, 10)
                    return
                length, head = int.from_bytes(buf[at + 2:at + 10], "big"), 10
            opcode = first & 0x0F
            data = opcode in (TEXT, BINARY)
            control = opcode >= CLOSE and length <= 125
            if (first & (_FIN | _RSV) != _FIN or second & _MASKED or not (data or control)
                    or (max_size is not None and length > max_size) or self.protocol.state is not State.OPEN):
                self._give_up(buf[at:])
                return
            end = at + head + length
            if end > size:
                self._wait_for(buf, at, end - at)
                return
            if data:
                self._deliver(buf[at + head:end])
            else:  # the library answers pings, takes pongs and runs the closing handshake
                super().data_received(buf[at:end])
            at = end
        self._wait_for(buf, at, 2)

    def _wait_for(self, buf: bytes, at: int, needed: int) -> None:
        """Keep the incomplete frame that starts at ``at`` until ``needed`` bytes of it are here."""
        if at < len(buf):
            self._pending += memoryview(buf)[at:]
        self._needed = needed

    def _give_up(self, rest: bytes) -> None:
        self._fast = False
        if rest:
            super().data_received(rest)

    def _deliver(self, message: bytes) -> None:
        self._inbox.append(message)
        if not self._reading_paused and len(self._inbox) >= QUEUE_HIGH and not self.transport.is_closing():
            self._reading_paused = True
            self.transport.pause_reading()
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)
