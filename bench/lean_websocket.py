"""Lean WebSocket endpoints for the benches' load: the client that streams a session's frames and the
loopback echo provider.

The sessions bench runs the server under test, its clients and the echo provider on the same two
cores. Through ``websockets``' asyncio API a message costs the client and the echo around 20 µs of
CPU each; at 200 sessions (10,000 frames a second each way) the two took about 90% of the machine,
so the load, not the server under test, ran out of CPU first. These endpoints speak just what the
benches need of RFC 6455 (the HTTP/1.1 upgrade, unfragmented text frames, ping and the close
handshake; no extensions) as asyncio protocols, with no task or future per message; frames are
built and read by the platform's own ``frame_header`` and ``FrameReader``.

A client sends one pre-built frame over and over, masked once with one key. The server cannot tell;
the RFC asks for a fresh key per frame to protect intermediaries, and loopback has none.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import struct
from collections.abc import Callable
from typing import cast
from urllib.parse import urlsplit

from websockets.frames import apply_mask
from websockets.utils import accept_key, generate_key

from agents.realtime.frame_reader import FrameReader
from agents.realtime.models.client_frames import frame_header

TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA
_NORMAL_CLOSE = struct.pack("!H", 1000)


def frame(opcode: int, payload: bytes, *, mask: bool = False) -> bytes:
    """One final frame; clients mask (RFC 6455 section 5.3), servers do not."""
    header = frame_header(opcode, len(payload), masked=mask)
    if not mask:
        return header + payload
    key = os.urandom(4)
    return header + key + apply_mask(payload, key)


def _take_head(buffer: bytearray) -> list[str] | None:
    """The lines of an HTTP head at the start of ``buffer`` once it is complete (removed from it)."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return None
    lines = bytes(buffer[:end]).decode("latin-1").split("\r\n")
    del buffer[:end + 4]
    return lines


def _header(lines: list[str], name: str) -> str:
    for line in lines[1:]:
        key, _, value = line.partition(":")
        if key.strip().lower() == name:
            return value.strip()
    return ""


class _Endpoint(FrameReader):
    """What both ends share: the upgrade's head, frame dispatch (the platform's own frame reader),
    ping and the close handshake. ``masked_frames`` says which end this is: a server reads masked
    frames and writes unmasked ones, a client the other way round."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.head = bytearray()
        self.close_code: int | None = None
        self.closed = asyncio.get_running_loop().create_future()
        self.init_frame_reader()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's transports do not subclass it

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            self.closed.set_result(None)

    def write(self, data: bytes) -> None:
        assert self.transport is not None
        if not self.transport.is_closing():
            self.transport.write(data)

    def data_received(self, data: bytes) -> None:
        if self.reading_frames:
            self.feed_frames(data)
            return
        self.head += data
        lines = _take_head(self.head)
        if lines is not None and self.on_head(lines):
            self.reading_frames = True
            rest = bytes(self.head)
            self.head.clear()
            self.feed_frames(rest)

    # --- the frame reader's hooks ----------------------------------------------------------------------

    def frames_allowed(self, length: int) -> bool:
        return True

    def on_data_frame(self, opcode: int, payload: bytes) -> bool:
        if opcode == TEXT:
            self.on_text(payload)
        return True

    def on_control_frame(self, frame_: bytes) -> None:
        head = 6 if self.masked_frames else 2  # a control frame's payload is under 126 bytes
        payload = apply_mask(frame_[head:], frame_[2:6]) if self.masked_frames else frame_[head:]
        opcode, mask = frame_[0] & 0x0F, not self.masked_frames
        if opcode == PING:
            self.write(frame(PONG, payload, mask=mask))
        elif opcode == CLOSE:
            self.close_code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005
            self.write(frame(CLOSE, payload[:2], mask=mask))
            assert self.transport is not None
            self.transport.close()

    def give_up_frames(self, rest: bytes) -> None:
        raise ValueError("fragmented, compressed or reserved frames are not supported")

    # --- the two ends ------------------------------------------------------------------------------------

    def on_head(self, lines: list[str]) -> bool:
        """The upgrade's HTTP head has arrived; whether the connection is now open."""
        raise NotImplementedError

    def on_text(self, payload: bytes) -> None:
        raise NotImplementedError

    async def close(self) -> None:
        """Start the close handshake and wait up to 5 s for the other side's close."""
        self.write(frame(CLOSE, _NORMAL_CLOSE, mask=not self.masked_frames))
        await asyncio.wait({self.closed}, timeout=5.0)
        if self.transport is not None:
            self.transport.close()


class LeanClient(_Endpoint):
    """One client socket; ``on_text`` receives every text message as bytes."""

    def __init__(self, target: str, host: str, origin: str | None, on_text: Callable[[bytes], None]) -> None:
        super().__init__()
        self._request = (f"GET {target} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                         f"Sec-WebSocket-Version: 13\r\n" + (f"Origin: {origin}\r\n" if origin else ""))
        self._on_text = on_text
        self.opened = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        key = generate_key()
        self._accept = accept_key(key)
        self.write(f"{self._request}Sec-WebSocket-Key: {key}\r\n\r\n".encode("latin-1"))

    def on_head(self, lines: list[str]) -> bool:
        if lines[0].split(" ")[1:2] != ["101"] or _header(lines, "sec-websocket-accept") != self._accept:
            self.opened.set_exception(ConnectionError(f"handshake refused: {lines[0]}"))
            assert self.transport is not None
            self.transport.close()
            return False
        self.opened.set_result(None)
        return True

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.opened.done():
            self.opened.set_exception(ConnectionError(f"connection lost during the handshake: {exc}"))
        super().connection_lost(exc)

    def on_text(self, payload: bytes) -> None:
        self._on_text(payload)


async def connect(url: str, on_text: Callable[[bytes], None], *, origin: str | None = None) -> LeanClient:
    """Open a ``ws://`` URL, allowing 120 s for the upgrade (rooms are created one at a time)."""
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    _, client = await asyncio.get_running_loop().create_connection(
        lambda: LeanClient(target, parts.netloc, origin, on_text), parts.hostname or "127.0.0.1", parts.port or 80)
    await asyncio.wait_for(client.opened, 120)
    return client


# --- the echo provider -------------------------------------------------------------------------------

_APPEND = b'"input_audio_buffer.append"'
_AUDIO = re.compile(rb'"audio"\s*:\s*"([^"]*)"')
_DELTA = (b'{"type":"response.output_audio.delta","response_id":"resp_bench","item_id":"item_bench",'
          b'"output_index":0,"content_index":0,"delta":"%s","event_id":"ev_%d"}')


class EchoProvider(_Endpoint):
    """OpenAI-shaped: one open response; every appended chunk comes straight back as its audio."""

    masked_frames = True

    def __init__(self) -> None:
        super().__init__()
        self._appended = 0

    def on_head(self, lines: list[str]) -> bool:
        accept = accept_key(_header(lines, "sec-websocket-key"))
        self.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    f"Sec-WebSocket-Accept: {accept}\r\n\r\n").encode("latin-1"))
        self._send({"type": "session.created", "session": {"id": "sess_bench"}})
        return True

    def _send(self, event: dict[str, object]) -> None:
        self.write(frame(TEXT, json.dumps(event).encode()))

    def on_text(self, payload: bytes) -> None:
        if _APPEND in payload and (audio := _AUDIO.search(payload)):
            self._appended += 1
            self.write(frame(TEXT, _DELTA % (audio[1], self._appended)))
            return
        event = json.loads(payload)
        if event.get("type") == "session.update":
            self._send({"type": "session.updated", "session": event.get("session", {})})
            self._send({"type": "response.created", "response": {"id": "resp_bench"}})


async def serve_echo(port: int) -> None:
    """Serve the echo provider on loopback ``port`` until cancelled."""
    server = await asyncio.get_running_loop().create_server(EchoProvider, "127.0.0.1", port)
    async with server:
        await server.serve_forever()
