"""Stopping background tasks: clean-up goes on whatever the stopped task raises as it unwinds."""

from __future__ import annotations

import asyncio
import logging

import pytest

from agents.realtime.tasks import stop_task


async def _blocked_read_that_times_out_when_cancelled() -> None:
    # What redis-py does when a blocking read is cancelled inside its own timeout: the cancellation
    # comes out as a TimeoutError (seen in a room's channel-layer listener under load).
    try:
        await asyncio.Event().wait()
    except asyncio.CancelledError as exc:
        raise TimeoutError("Timeout reading from 127.0.0.1:6379") from exc


async def test_an_error_raised_while_unwinding_is_logged_not_raised(caplog) -> None:
    task = asyncio.get_running_loop().create_task(_blocked_read_that_times_out_when_cancelled(), name="listener")
    await asyncio.sleep(0)
    with caplog.at_level(logging.WARNING, logger="agents.realtime.tasks"):
        await stop_task(task)
    assert task.done() and isinstance(task.exception(), TimeoutError)
    assert "listener" in caplog.text and "Timeout reading" in caplog.text


async def test_a_task_that_honours_the_cancel_is_stopped_quietly(caplog) -> None:
    task = asyncio.get_running_loop().create_task(asyncio.Event().wait())
    await asyncio.sleep(0)
    with caplog.at_level(logging.WARNING, logger="agents.realtime.tasks"):
        await stop_task(task)
    assert task.cancelled() and caplog.text == ""


async def test_the_callers_own_cancellation_still_reaches_the_caller() -> None:
    async def slow_to_stop() -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            await asyncio.sleep(10)  # a clean-up that takes its time
            raise

    inner = asyncio.get_running_loop().create_task(slow_to_stop())
    await asyncio.sleep(0)
    stopper = asyncio.get_running_loop().create_task(stop_task(inner))
    await asyncio.sleep(0.05)
    stopper.cancel()
    with pytest.raises(asyncio.CancelledError):
        await stopper
    inner.cancel()
    await asyncio.wait([inner])


async def test_none_a_finished_task_and_the_calling_task_are_left_alone() -> None:
    await stop_task(None)
    done = asyncio.get_running_loop().create_task(asyncio.sleep(0, "value"))
    await done
    await stop_task(done)
    assert done.result() == "value"

    async def stops_itself() -> str:
        await stop_task(asyncio.current_task())
        await asyncio.sleep(0)  # not cancelled: the task's own loop decides when it ends
        return "went on"

    assert await asyncio.get_running_loop().create_task(stops_itself()) == "went on"
