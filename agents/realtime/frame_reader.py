"""Whole WebSocket frames cut out of a byte stream (RFC 6455 section 5.2), for the two sockets that
carry a session's audio 50 times a second each way: the provider connection, a client whose frames
arrive unmasked, and uvicorn's room protocol, a server whose frames arrive masked.

Both leave everything but the ordinary case to the ``websockets`` sans-I/O parser and only ever hand
it whole frames, so it is never left mid-frame. This reader starts on a frame boundary (the caller
hands the library the HTTP head with ``pass_head``), takes each complete final text or binary frame,
passes control frames on whole, and gives the rest of the stream up at the first frame it does not
take.
"""

from __future__ import annotations

import asyncio
from typing import ClassVar

from websockets.frames import BINARY, CLOSE, TEXT, apply_mask

# ASGI scope extension of the room protocol: ``scope["extensions"][DIRECT_TEXT]["take"](handler)``
# asks for each text message to be offered to ``handler(text) -> bool`` first, on the spot, whenever
# the application is idle in ``receive()``; False means it did nothing and the message is queued.
DIRECT_TEXT = "voice.direct_text"
QUEUE_HIGH = 16  # messages waiting for the application before a socket stops being read
QUEUE_LOW = 4  # ... and the depth at which reading starts again
_FIN = 0x80
_RSV = 0x70
_MASKED = 0x80
_END_OF_HEAD = b"\r\n\r\n"


class FrameReader(asyncio.Protocol):
    """Mixin, listed before the ``websockets``-based protocol it speeds up: call ``init_frame_reader()``,
    set ``reading_frames`` once the stream is at a frame boundary, then ``feed_frames(data)`` with every
    read while it stays set, and implement ``frames_allowed`` and ``on_data_frame``. Control frames,
    and the stream from the first frame not taken, go to the next class's ``data_received``."""

    masked_frames: ClassVar[bool] = False  # frames from a client are masked, frames from a server not

    def init_frame_reader(self) -> None:
        self.reading_frames = False
        self._pending = bytearray()  # the start of a frame that has not fully arrived yet
        self._needed = 0  # how long _pending must be before it is worth parsing again
        self._head_tail = b""  # the last bytes of the HTTP head so far: its blank line may span two reads

    def pass_head(self, data: bytes) -> bytes | None:
        """Give the library ``data`` up to the end of the HTTP head (the upgrade's request or response)
        and return what follows it, maybe nothing; ``None`` while the head goes on."""
        probe = self._head_tail + data
        end = probe.find(_END_OF_HEAD)
        if end < 0:
            self._head_tail = probe[-(len(_END_OF_HEAD) - 1):]
            super().data_received(data)
            return None
        cut = end + len(_END_OF_HEAD) - len(self._head_tail)
        self._head_tail = b""
        super().data_received(data[:cut])
        return data[cut:]

    def feed_frames(self, data: bytes) -> None:
        if not self._pending:
            self._read_frames(data)
            return
        self._pending += data  # a large frame arrives in many reads: no re-parse, no re-copy
        if len(self._pending) >= self._needed:
            buf = bytes(self._pending)
            self._pending.clear()
            self._read_frames(buf)

    def take_pending(self) -> bytes:
        """The incomplete frame held so far (e.g. to let the library report a truncated stream)."""
        pending = bytes(self._pending)
        self._pending.clear()
        return pending

    # --- hooks -----------------------------------------------------------------------------------------

    def frames_allowed(self, length: int) -> bool:
        """Whether a frame with a ``length``-byte payload may be taken now (size limit, state)."""
        raise NotImplementedError

    def on_data_frame(self, opcode: int, payload: bytes) -> bool:
        """A whole message; False hands it, and the rest of the stream, to ``give_up_frames``."""
        raise NotImplementedError

    def on_control_frame(self, frame: bytes) -> None:
        """A whole ping, pong or close frame, header included: the library answers pings, takes pongs
        and runs the closing handshake."""
        super().data_received(frame)

    def give_up_frames(self, rest: bytes) -> None:
        """``rest`` starts with a frame this reader does not take: it, and every later read, go to the
        library, whose parser raises the protocol errors."""
        self.reading_frames = False
        if rest:
            super().data_received(rest)

    # --- internals -------------------------------------------------------------------------------------

    def _read_frames(self, buf: bytes) -> None:
        at, size = 0, len(buf)
        mask_bit, key = (_MASKED, 4) if self.masked_frames else (0, 0)
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
            if (first & (_FIN | _RSV) != _FIN or second & _MASKED != mask_bit or not (data or control)
                    or not self.frames_allowed(length)):
                self.give_up_frames(buf[at:])
                return
            head += key
            end = at + head + length
            if end > size:
                self._wait_for(buf, at, end - at)
                return
            if not data:
                self.on_control_frame(buf[at:end])
            else:
                payload = buf[at + head:end]
                if key:
                    payload = apply_mask(payload, buf[at + head - 4:at + head])
                if not self.on_data_frame(opcode, payload):
                    self.give_up_frames(buf[at:])
                    return
            at = end
        self._wait_for(buf, at, 2)

    def _wait_for(self, buf: bytes, at: int, needed: int) -> None:
        """Keep the incomplete frame that starts at ``at`` until ``needed`` bytes of it are here."""
        if at < len(buf):
            self._pending += memoryview(buf)[at:]
        self._needed = needed
