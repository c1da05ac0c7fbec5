"""What both realtime endpoints share: parsing frames, abuse limits, error events."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer

from agents.realtime import events as ev
from agents.realtime.frame_reader import DIRECT_TEXT
from rooms import close_codes
from rooms.grants.verifier import VerifiedToken
from rooms.runtime.flood import MAX_FRAME_BYTES, FloodGuard
from rooms.runtime.room_events import ROOM_CLIENT_EVENTS


def grant_rights(grant: VerifiedToken | None) -> dict[str, Any]:
    """A room ``Person``'s rights from the socket's grant; without one, every right (a member's web
    session or development mode in their own private room)."""
    if grant is None:
        return {}
    return {"grants": grant.grants, "metadata": grant.metadata, "attributes": dict(grant.attributes)}


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

    # --- frames taken on the spot ----------------------------------------------------------------------

    def take_text_directly(self) -> None:
        """Ask the server to offer each text frame to ``receive_now`` while this consumer is idle (the
        room protocol's ``DIRECT_TEXT`` extension; other servers do not offer it)."""
        direct = self.scope.get("extensions", {}).get(DIRECT_TEXT)
        if direct is not None:
            direct["take"](self.receive_now)

    def receive_now(self, text: str) -> bool:
        """``receive`` for a frame whose event ``handle_now`` can take with no wait: a person's audio,
        50 frames a second, skips the wake of this consumer's task and every await down to the
        provider's socket. False means nothing was done, not even the flood count: the frame goes
        through ``receive`` as usual, which also answers whatever is wrong with it."""
        if len(text) > MAX_FRAME_BYTES or '"client_audio_append"' not in text:  # others: parsed once, there
            return False
        try:
            event = ev.parse_client_event(text, ROOM_CLIENT_EVENTS)
        except ev.ProtocolError:
            return False
        return self.handle_now(event, self.flood.allow)

    def handle_now(self, event: ev.ClientEvent, admit: Callable[[], bool]) -> bool:
        """Take ``event`` with no wait, or return False having changed nothing. ``admit()`` (the flood
        count) is called once the event is known to be takeable; its False is a False too."""
        return False
