"""What both realtime endpoints share: parsing frames, abuse limits, error events."""

from __future__ import annotations

from typing import Any

from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer

from agents.realtime import events as ev
from rooms import close_codes
from rooms.runtime.flood import MAX_FRAME_BYTES, FloodGuard
from rooms.runtime.room_events import ROOM_CLIENT_EVENTS


class RealtimeConsumer(AsyncWebsocketConsumer):
    session_id = ""

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        # Sockets never join the channel layer: a room listens on one channel of its own and talks to
        # its sockets in-process, so subscribing would only add a blocking Redis read per socket. That
        # leaves one source of messages, awaited and handled here in order; Channels' general loop
        # would wrap every receive in a new task and an ``asyncio.wait``, three scheduler steps for
        # each of a socket's 50 frames a second.
        self.scope = scope
        self.channel_layer = None
        self.base_send = send
        try:
            while True:
                await self.dispatch(await receive())
        except StopConsumer:
            pass

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels closes stale database connections before every handler, on its one shared sync
        # thread: a thread hop per audio frame (50 a second per socket) that queued frames behind each
        # other and behind ORM work. Frames touch the database only through database_sync_to_async,
        # which does that cleanup itself, so they skip it; connect and disconnect keep it.
        if message["type"] == "websocket.receive":
            await self.websocket_receive(message)
        else:
            await super().dispatch(message)

    async def websocket_connect(self, message: dict[str, Any]) -> None:
        self.flood = FloodGuard()
        await super().websocket_connect(message)

    async def send_event(self, event: dict[str, Any] | str) -> None:
        """``event`` may arrive already encoded: a room encodes each event once for all its people."""
        text = event if isinstance(event, str) else ev.encode_event(event)
        await self.send(text_data=text)

    async def close_with(self, code: int, detail: str = "") -> None:
        reason = close_codes.REASONS.get(code, "closed")
        await self.close(code=code, reason=f"{reason}: {detail}"[:120] if detail else reason)

    async def error(self, code: str, message: str) -> None:
        await self.send_event(ev.server_error(self.session_id, code, message))

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        raw = text_data if text_data is not None else bytes_data or b""
        if len(raw) > MAX_FRAME_BYTES:
            await self.close_with(close_codes.MESSAGE_TOO_BIG, f"frames are limited to {MAX_FRAME_BYTES} bytes")
            return
        if not self.flood.allow():
            await self.close_with(close_codes.FLOOD, "too many messages")
            return
        try:
            event = ev.parse_client_event(raw, ROOM_CLIENT_EVENTS)
        except ev.ProtocolError as exc:
            await self.error(exc.code, exc.message)
            return
        await self.handle_event(event)

    async def handle_event(self, event: ev.ClientEvent) -> None:
        raise NotImplementedError
