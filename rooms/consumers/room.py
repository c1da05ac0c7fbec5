"""``/ws/room?access_token=JWT``: join the room named in a LiveKit-style grant.

Rejections at connect close the socket with a 44xx code and a reason (see ``rooms.close_codes``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agents.realtime import events as ev
from rooms import close_codes
from rooms.consumers.base import RealtimeConsumer, grant_rights
from rooms.runtime.join import room_for_grant
from rooms.runtime.room import Person, RoomFull, RoomRuntime
from rooms.services.dispatch import DispatchError
from rooms.services.live import RoomHostedElsewhere


class RoomConsumer(RealtimeConsumer):
    room: RoomRuntime | None = None
    person: Person | None = None

    async def connect(self) -> None:
        await self.accept()
        grant = self.scope.get("grant")
        if grant is None:
            await self.close_with(close_codes.UNAUTHORIZED, self.scope.get("grant_error") or "missing_token")
            return
        if not grant.grants.room_join:
            await self.close_with(close_codes.FORBIDDEN, "the grant does not allow joining rooms (roomJoin)")
            return
        if not grant.identity:
            await self.close_with(close_codes.FORBIDDEN, "the grant has no identity")
            return
        if not grant.grants.room:
            await self.close_with(close_codes.FORBIDDEN, "the grant names no room")
            return
        try:
            room, _ = await room_for_grant(grant)
        except DispatchError as exc:
            await self.error(exc.code, exc.message)
            await self.close_with(close_codes.FORBIDDEN, exc.code)
            return
        except RoomHostedElsewhere as exc:
            await self.close_with(close_codes.ROOM_ELSEWHERE, exc.host)
            return
        self.session_id = room.session_id
        person = Person(identity=grant.identity, name=grant.name, send=self.send_event, close=self._close,
                        **grant_rights(grant))
        try:
            await room.join(person)
        except RoomFull as exc:
            await self.close_with(close_codes.ROOM_FULL, str(exc))
            return
        self.room, self.person = room, person
        await self.send_event(ev.server_session_created(room.session_id))
        self.take_text_directly()

    async def _close(self, code: int, reason: str) -> None:
        self.room = None
        await self.close(code=code, reason=reason)

    async def handle_event(self, event: ev.ClientEvent) -> None:
        if self.room is None or self.person is None:
            await self.error("not_joined", "This socket is not in a room.")
            return
        if isinstance(event, ev.ClientSessionCreate):
            await self.error("session_exists", "Joining the room started the session; send events directly.")
            return
        await self.room.person_event(self.person.identity, event)

    def handle_now(self, event: ev.ClientEvent, admit: Callable[[], bool]) -> bool:
        room, person = self.room, self.person
        return (isinstance(event, ev.ClientAudioAppend) and room is not None and person is not None
                and room.audio_now(person.identity, event, admit))

    async def disconnect(self, code: int) -> None:
        room, person = self.room, self.person
        self.room = None
        if room is not None and person is not None and not room.ended:
            await room.leave(person.identity, "disconnected")

    async def room_closed(self, event: dict[str, Any]) -> None:  # pragma: no cover - group hook reserved
        pass
