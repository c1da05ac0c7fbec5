"""The messages a socket has read, waiting for the one task that takes them.

A session's sockets queue 50 messages a second each way. ``asyncio.Queue`` serves many readers and
writers, bounded sizes and ``join()``, and pays for it in every message (ten Python calls to put one
in and take it out); a socket's reader needs a deque and one future to wait on.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Generic, TypeVar

T = TypeVar("T")


class Inbox(Generic[T]):
    """For one reader at a time; cancelling a ``get()`` or ``wait()`` loses nothing."""

    def __init__(self) -> None:
        self._items: deque[T] = deque()
        self._waiter: asyncio.Future[None] | None = None

    def put_nowait(self, item: T) -> None:
        self._items.append(item)
        self.wake()

    def wake(self) -> None:
        """Let a ``wait()`` return, with or without a message (say, because the connection ended)."""
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def wait(self) -> None:
        """Return once a message is waiting or ``wake()`` was called; at once if one is waiting."""
        if self._items:
            return
        self._waiter = asyncio.get_running_loop().create_future()
        try:
            await self._waiter
        finally:
            self._waiter = None

    async def get(self) -> T:
        while not self._items:
            await self.wait()
        return self._items.popleft()

    def get_nowait(self) -> T:
        return self._items.popleft()

    @property
    def reader_idle(self) -> bool:
        """The reader is waiting for a message, so it has finished with every earlier one."""
        waiter = self._waiter
        return waiter is not None and not waiter.done()

    def qsize(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        self._items.clear()

    def empty(self) -> bool:
        return not self._items
