"""Stopping the background tasks that sessions and rooms start."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

log = logging.getLogger(__name__)


async def stop_task(task: asyncio.Task[Any] | None) -> None:
    """Cancel ``task`` and wait until it has finished.

    Whatever the task raises while it unwinds is logged, not raised: a library may turn the
    cancellation into an error of its own (redis-py raises ``TimeoutError`` when cancelled inside a
    blocking read), and the caller is stopping it either way, so its own clean-up must go on. The
    caller's own cancellation still reaches the caller. ``None``, a finished task and the calling task
    itself (which cannot wait for itself; its loop must end on its own) are left alone.
    """
    if task is None or task.done() or task is asyncio.current_task():
        return
    task.cancel()
    await asyncio.wait([task])
    if not task.cancelled() and (error := task.exception()) is not None:
        log.warning("task %s raised while being stopped: %r", task.get_name(), error)
