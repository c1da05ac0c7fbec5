"""``Inbox``: messages come out in order, a reader waits for them, ``wake()`` ends a wait with none, and
a cancelled reader loses nothing."""

from __future__ import annotations

import asyncio

from agents.realtime.inbox import Inbox


async def test_messages_come_out_in_the_order_they_went_in() -> None:
    inbox: Inbox[int] = Inbox()
    for n in range(5):
        inbox.put_nowait(n)
    assert inbox.qsize() == 5 and not inbox.empty()
    assert [await inbox.get() for _ in range(5)] == [0, 1, 2, 3, 4]
    assert inbox.empty()


async def test_a_waiting_reader_gets_the_next_message() -> None:
    inbox: Inbox[str] = Inbox()
    reader = asyncio.create_task(inbox.get())
    await asyncio.sleep(0)
    assert not reader.done()
    inbox.put_nowait("hello")
    assert await asyncio.wait_for(reader, 1) == "hello"


async def test_wake_ends_a_wait_with_no_message() -> None:
    inbox: Inbox[str] = Inbox()
    waiting = asyncio.create_task(inbox.wait())
    await asyncio.sleep(0)
    assert not waiting.done()
    inbox.wake()
    await asyncio.wait_for(waiting, 1)
    assert inbox.empty()


async def test_a_cancelled_reader_loses_nothing() -> None:
    inbox: Inbox[str] = Inbox()
    reader = asyncio.create_task(inbox.get())
    await asyncio.sleep(0)
    inbox.put_nowait("kept")
    reader.cancel()  # cancelled after the message arrived, before the reader ran again
    await asyncio.gather(reader, return_exceptions=True)
    assert reader.cancelled()
    assert await asyncio.wait_for(inbox.get(), 1) == "kept"
