"""The rooms hosted by this process, their heartbeat, and a graceful end on SIGTERM.

One registry per event loop (daphne runs one). Rooms are keyed by (organization id, room name); a
room's participants and agents all live here, because audio must not cross the channel layer.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import threading
import uuid
import weakref
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from channels.db import database_sync_to_async

from agents.realtime.tasks import stop_task

if TYPE_CHECKING:
    from rooms.runtime.room import RoomRuntime

log = logging.getLogger(__name__)

HOST_ID = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
HEARTBEAT_SECONDS = 15.0
SHUTDOWN_GRACE_SECONDS = 10.0

RoomKey = tuple[int, str]


class RoomRegistry:
    def __init__(self) -> None:
        self._rooms: dict[RoomKey, RoomRuntime] = {}
        self._creating: dict[RoomKey, asyncio.Future[RoomRuntime]] = {}
        self._heartbeat: asyncio.Task[None] | None = None
        self.shutting_down = False

    def get(self, key: RoomKey) -> RoomRuntime | None:
        return self._rooms.get(key)

    def rooms(self) -> list[RoomRuntime]:
        return list(self._rooms.values())

    async def get_or_create(self, key: RoomKey, factory: Callable[[], Awaitable[RoomRuntime]]) -> tuple[RoomRuntime, bool]:
        """The live room for ``key``, creating it once even when several people join at the same time."""
        room = self._rooms.get(key)
        if room is not None and not room.ended:
            return room, False
        pending = self._creating.get(key)
        if pending is not None:
            return await asyncio.shield(pending), False
        future: asyncio.Future[RoomRuntime] = asyncio.get_running_loop().create_future()
        self._creating[key] = future
        try:
            room = await factory()
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: waiters re-raise it themselves
            raise
        finally:
            self._creating.pop(key, None)
        future.set_result(room)
        self._rooms[key] = room
        self._ensure_heartbeat()
        _install_sigterm_handler()
        return room, True

    def discard(self, key: RoomKey, room: RoomRuntime) -> None:
        if self._rooms.get(key) is room:
            del self._rooms[key]
        if not self._rooms and self._heartbeat is not None:
            self._heartbeat.cancel()
            self._heartbeat = None

    def _ensure_heartbeat(self) -> None:
        if self._heartbeat is None or self._heartbeat.done():
            self._heartbeat = asyncio.get_running_loop().create_task(self._beat(), name="rooms-heartbeat")

    async def _beat(self) -> None:
        from rooms.services.live import rooms_heartbeat

        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            ids = [room.room_id for room in self._rooms.values() if not room.ended]
            if ids:
                try:
                    await database_sync_to_async(rooms_heartbeat)(room_ids=ids, host=HOST_ID)
                except Exception:  # a missed beat is retried next time; never kill the loop
                    log.exception("room heartbeat failed")

    async def shutdown(self, reason: str) -> None:
        """End every room (flushing transcripts, recording ends so hooks run in Celery)."""
        self.shutting_down = True
        rooms = list(self._rooms.values())
        await asyncio.gather(*(room.end(reason) for room in rooms), return_exceptions=True)
        await stop_task(self._heartbeat)
        self._heartbeat = None


_registries: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, RoomRegistry] = weakref.WeakKeyDictionary()


def registry() -> RoomRegistry:
    loop = asyncio.get_running_loop()
    reg = _registries.get(loop)
    if reg is None:
        reg = _registries[loop] = RoomRegistry()
    return reg


_sigterm_installed = False


def _install_sigterm_handler() -> None:
    """On SIGTERM, end this process's rooms before the server stops (bounded by a grace period).

    Installed lazily, wrapping the server's own handler (twisted's under daphne), which runs after.
    """
    global _sigterm_installed
    if _sigterm_installed or threading.current_thread() is not threading.main_thread():
        return
    _sigterm_installed = True
    loop = asyncio.get_running_loop()
    previous = signal.getsignal(signal.SIGTERM)

    def handle(signum: int, frame: Any) -> None:
        async def graceful() -> None:
            from rooms.models import EndReason

            reg = _registries.get(loop)
            if reg is not None:
                try:
                    await asyncio.wait_for(reg.shutdown(EndReason.PROCESS_SHUTDOWN), SHUTDOWN_GRACE_SECONDS)
                except Exception:
                    log.exception("graceful room shutdown did not finish")
            if callable(previous):
                previous(signum, frame)
            else:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                os.kill(os.getpid(), signal.SIGTERM)

        loop.call_soon_threadsafe(lambda: loop.create_task(graceful(), name="rooms-sigterm"))

    signal.signal(signal.SIGTERM, handle)
