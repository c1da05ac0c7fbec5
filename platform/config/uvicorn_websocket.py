"""uvicorn's ``websockets-sansio`` protocol, with a room socket's ordinary messages read and written
without the library's per-frame machinery.

A person in a room sends 50 audio frames a second and receives as many; at 200 sessions that is
20,000 messages a second through one process. For each, the stock protocol runs the ``websockets``
generator parser, a ``Frame`` object and its event list, and then stops reading the socket until the
application takes the message, so the next frame waits in the kernel and reading restarts with a
system call. Here, once the application has accepted the connection, each complete, final, masked
text or binary frame is unmasked and queued as it is, and each message the application sends is
framed and written directly. Reading stops only when ``QUEUE_HIGH`` messages wait, and resumes once
the application has taken them down to ``QUEUE_LOW``. An application may also take text messages on
the spot, with no task switch, through the ``DIRECT_TEXT`` scope extension
(``agents.realtime.frame_reader``); the room consumer does, for audio.

The stock protocol still owns everything else, and its parser only ever sees whole frames, so it is
never left mid-frame: the HTTP upgrade (bytes after the request's head are held back until the
application accepts), pings, pongs and the close handshake. A fragmented message, a reserved opcode
or RSV bit, an unmasked frame, a frame over ``--ws-max-size``, text that is not UTF-8, or anything
after the close handshake began hands the rest of the stream to it for good, and it answers as it
always did. Sends fall back to it while the transport is paused, the connection is not open, or
reading has gone back to it. Every write on the socket, the library's and ours, is held to the end of
the event loop's tick (``agents.realtime.tick_transport``).

Run uvicorn with ``--ws config.uvicorn_websocket:RoomWebSocketProtocol`` (README, "Deployment").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from uvicorn._types import ASGIReceiveEvent, ASGISendEvent
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.frames import BINARY, TEXT
from websockets.protocol import State

from agents.realtime.frame_reader import DIRECT_TEXT, QUEUE_HIGH, QUEUE_LOW, FrameReader
from agents.realtime.inbox import Inbox
from agents.realtime.models.client_frames import frame_header
from agents.realtime.tick_transport import TickWrites


class RoomWebSocketProtocol(TickWrites, FrameReader, WebSocketsSansIOProtocol):
    masked_frames = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_seen = False
        self._early = bytearray()  # bytes after the request's head, held until the app accepts
        self.init_frame_reader()
        # The stock protocol's queue, put to and taken from in its own code too; see agents.realtime.inbox.
        self._inbox: Inbox[Any] = Inbox()
        self.queue = self._inbox  # type: ignore[assignment]
        self._direct: Callable[[str], bool] | None = None

    def handle_connect(self, event: Any) -> None:
        super().handle_connect(event)
        scope = getattr(self, "scope", None)  # unset when the upgrade was refused
        if scope is not None:
            scope["extensions"][DIRECT_TEXT] = {"take": self._take_direct}

    def _take_direct(self, handler: Callable[[str], bool]) -> None:
        self._direct = handler

    # --- reading ---------------------------------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        if self.reading_frames:
            self.feed_frames(data)
        elif not self._head_seen:
            self._read_head(data)
        elif not self.handshake_complete:
            self._hold(data)
        else:
            super().data_received(data)

    async def receive(self) -> ASGIReceiveEvent:
        message = await self.queue.get()
        if self.read_paused and self.queue.qsize() <= QUEUE_LOW:
            self.read_paused = False
            self.transport.resume_reading()
        return message

    def _read_head(self, data: bytes) -> None:
        rest = self.pass_head(data)
        if rest is None:
            return
        self._head_seen = True
        if rest:
            self._hold(rest)

    def _hold(self, data: bytes) -> None:
        """A client that sends frames before the upgrade's answer: keep them, and stop reading, until
        the application accepts (then they are read as usual) or refuses (then they are dropped)."""
        self._early += data
        if not self.read_paused:
            self.read_paused = True
            self.transport.pause_reading()

    # --- the frame reader's hooks ----------------------------------------------------------------------

    def frames_allowed(self, length: int) -> bool:
        return length <= self.config.ws_max_size and not self.close_sent and self.conn.state is State.OPEN

    def on_data_frame(self, opcode: int, payload: bytes) -> bool:
        if opcode == TEXT:
            try:
                text = payload.decode()
            except UnicodeDecodeError:
                return False  # the library closes with 1007
            # Only while the application waits in receive(): a message it is still handling would
            # otherwise be overtaken.
            if self._direct is not None and self._inbox.reader_idle and self._direct(text):
                return True
            self.queue.put_nowait({"type": "websocket.receive", "text": text})
        else:
            self.queue.put_nowait({"type": "websocket.receive", "bytes": payload})
        if not self.read_paused and self.queue.qsize() >= QUEUE_HIGH and not self.transport.is_closing():
            self.read_paused = True
            self.transport.pause_reading()
        return True

    # --- writing ---------------------------------------------------------------------------------------

    async def send(self, message: ASGISendEvent) -> None:
        if (self.reading_frames and message["type"] == "websocket.send" and self.writable.is_set() and not self.close_sent
                and not self.disconnected and self.conn.state is State.OPEN):
            data = message.get("bytes")
            if data is not None:
                self.transport.write(frame_header(BINARY, len(data), masked=False) + data)
                return
            text = message.get("text")
            if text is not None:
                payload = text.encode()
                self.transport.write(frame_header(TEXT, len(payload), masked=False) + payload)
                return
        await super().send(message)
        if message["type"] == "websocket.accept" and not self.reading_frames:
            self._accepted()

    def _accepted(self) -> None:
        early = bytes(self._early)
        self._early.clear()
        if not (self.handshake_complete and not self.close_sent and self.conn.state is State.OPEN):
            return  # refused or gone: what the client sent early is never read
        self.reading_frames = True
        if self.read_paused:
            self.read_paused = False
            self.transport.resume_reading()
        if early:
            self.feed_frames(early)
