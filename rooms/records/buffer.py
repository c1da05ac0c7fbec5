"""Batches final transcript items inside a realtime process and hands them to Celery.

``add()`` never blocks: it validates the item and queues it. A batch goes out when ``max_items``
are waiting or ``max_delay`` after the first one, published from a worker thread so the broker
round trip never stalls the event loop. A batch whose publish fails stays queued and is retried,
so nothing is dropped while the process lives; ``flush_all_buffers()`` drains every live buffer on
shutdown.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Any

from rooms.records.services.transcripts import transcript_item_clean

logger = logging.getLogger(__name__)

_PUBLISH_RETRY_MAX_SECONDS = 5.0
_live: weakref.WeakSet[TranscriptBuffer] = weakref.WeakSet()


class BufferClosed(RuntimeError):
    """``add()`` after ``close()``: the session's transcript is already sealed."""


def _publish(session_id: int, batch: list[dict[str, Any]]) -> None:
    from rooms.records.tasks import transcript_batch_store

    if transcript_batch_store.app.conf.task_always_eager:
        # Embedded default: the task runs here, in this worker thread, with its own DB connection.
        from django.db import connection

        try:
            transcript_batch_store.apply(args=(session_id, batch), throw=True)
        finally:
            connection.close()
    else:
        transcript_batch_store.apply_async(args=(session_id, batch), retry=False)


class TranscriptBuffer:
    def __init__(self, session_id: int, *, max_items: int = 20, max_delay: float = 0.25) -> None:
        if max_items < 1 or max_delay < 0:
            raise ValueError("max_items must be >= 1 and max_delay >= 0.")
        self.session_id = session_id
        self.max_items = max_items
        self.max_delay = max_delay
        self._pending: list[dict[str, Any]] = []
        self._position = 0
        self._timer: asyncio.TimerHandle | None = None
        self._sender: asyncio.Task[None] | None = None  # owned: awaited by flush(), cancelled never
        self._closed = False
        self.published = 0
        _live.add(self)

    @property
    def pending(self) -> int:
        return len(self._pending)

    def add(self, item: dict[str, Any]) -> None:
        if self._closed:
            raise BufferClosed(f"The transcript buffer of session {self.session_id} is closed.")
        clean = transcript_item_clean(item)  # bad items fail here, at the caller, with a code
        clean["position"] = self._position
        self._position += 1
        self._pending.append(clean)
        loop = asyncio.get_running_loop()
        if len(self._pending) >= self.max_items:
            self._start_sender()
        elif self._timer is None and self._sender is None:
            self._timer = loop.call_later(self.max_delay, self._start_sender)

    def _start_sender(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._sender is None or self._sender.done():
            self._sender = asyncio.get_running_loop().create_task(self._send_pending())

    async def _send_pending(self) -> None:
        delay = 0.05
        while self._pending:
            batch = self._pending[: self.max_items]
            try:
                await asyncio.to_thread(_publish, self.session_id, batch)
            except Exception:
                logger.exception("publishing %d transcript items of session %s failed; retrying in %.2fs",
                                 len(batch), self.session_id, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, _PUBLISH_RETRY_MAX_SECONDS)
                continue
            delay = 0.05
            # Items added meanwhile were appended behind this batch, so it is still the head.
            del self._pending[: len(batch)]
            self.published += len(batch)

    async def flush(self) -> None:
        """Publish everything queued so far and wait until it has been handed to the broker."""
        while self._pending or (self._sender is not None and not self._sender.done()):
            if self._sender is None or self._sender.done():
                self._start_sender()
            assert self._sender is not None
            await asyncio.shield(self._sender)

    async def close(self) -> None:
        if self._closed and not self._pending:
            return
        self._closed = True
        try:
            await self.flush()
        finally:
            _live.discard(self)


async def flush_all_buffers() -> None:
    """Close every live buffer of this process (call on SIGTERM before exiting)."""
    buffers = list(_live)
    results = await asyncio.gather(*(b.close() for b in buffers), return_exceptions=True)
    for buffer, result in zip(buffers, results, strict=True):
        if isinstance(result, BaseException):
            logger.error("flushing the transcript of session %s failed: %r", buffer.session_id, result)


def live_buffers() -> list[TranscriptBuffer]:
    return list(_live)


__all__ = ["BufferClosed", "TranscriptBuffer", "flush_all_buffers", "live_buffers"]

