from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async

from config.celery import app
from rooms.records.buffer import BufferClosed, TranscriptBuffer, flush_all_buffers
from rooms.records.models import TranscriptEntry
from rooms.records.services.transcripts import TranscriptItemInvalid, transcript_batch_store
from tests.records.conftest import item


@pytest.mark.django_db
def test_it_stores_a_redelivered_batch_only_once(acme_room):
    batch = [item(1), item(2, role="agent"), item(2, role="agent", seq=1)]
    transcript_batch_store(session_id=acme_room.session.pk, items=batch)
    transcript_batch_store(session_id=acme_room.session.pk, items=batch)
    rows = list(TranscriptEntry.objects.filter(session=acme_room.session).values_list("item_id", "seq", "role"))
    assert sorted(rows) == [("item_1", 0, "user"), ("item_2", 0, "agent"), ("item_2", 1, "agent")]
    entry = TranscriptEntry.objects.get(item_id="item_1")
    assert entry.room_id == acme_room.room.pk and entry.organization_id == acme_room.room.organization_id


@pytest.mark.django_db
def test_it_keeps_tool_calls_and_their_results(acme_room):
    tool = {"call_id": "c1", "name": "lookup", "arguments": '{"q": "x"}', "output": "42", "is_error": False}
    transcript_batch_store(session_id=acme_room.session.pk, items=[{**item(5, role="tool"), "tool": tool}])
    assert TranscriptEntry.objects.get(item_id="item_5").tool == tool


@pytest.mark.django_db
def test_it_drops_a_batch_for_a_missing_session_without_failing():
    assert transcript_batch_store(session_id=987654, items=[item(1)]) == 0


@pytest.mark.parametrize(("bad", "code"), [
    ({"role": "narrator"}, "invalid_role"),
    ({"item_id": ""}, "invalid_item_id"),
    ({"seq": -1}, "invalid_seq"),
    ({"started_at": "yesterday"}, "invalid_timestamp"),
    ({"started_at": "2026-01-01T10:00:00"}, "naive_timestamp"),
    ({"tool": {"oops": 1}}, "invalid_tool"),
])
async def test_it_rejects_a_malformed_item_at_the_caller_with_a_code(bad, code):
    buffer = TranscriptBuffer(1)
    with pytest.raises(TranscriptItemInvalid) as err:
        buffer.add({**item(1), **bad})
    assert err.value.code == code
    assert buffer.pending == 0
    await buffer.close()


async def _published(buffer: TranscriptBuffer, count: int, timeout: float = 10.0) -> bool:
    for _ in range(int(timeout / 0.02)):
        if buffer.published >= count:
            return True
        await asyncio.sleep(0.02)
    return False


async def test_it_publishes_after_the_delay_when_few_items_wait(acme_room_committed):
    buffer = TranscriptBuffer(acme_room_committed.session.pk, max_items=100, max_delay=0.3)
    for n in range(3):
        buffer.add(item(n))
    await asyncio.sleep(0.1)
    assert buffer.published == 0, "three items are below the count and the delay has not passed"
    assert await _published(buffer, 3)
    await buffer.close()


async def test_it_publishes_a_full_batch_without_waiting_for_the_delay(acme_room_committed):
    buffer = TranscriptBuffer(acme_room_committed.session.pk, max_items=5, max_delay=60)
    for n in range(4):
        buffer.add(item(n))
    await asyncio.sleep(0.1)
    assert buffer.published == 0
    buffer.add(item(4))
    assert await _published(buffer, 5, timeout=10), "a full batch must not wait the 60 s delay"
    await buffer.close()


async def test_it_refuses_items_after_close(acme_room_committed):
    buffer = TranscriptBuffer(acme_room_committed.session.pk)
    await buffer.close()
    await buffer.close()  # idempotent
    with pytest.raises(BufferClosed):
        buffer.add(item(1))


@pytest.mark.celery_worker
async def test_it_persists_buffered_items_through_a_real_worker(acme_room_committed, celery_worker):
    session = acme_room_committed.session
    buffer = TranscriptBuffer(session.pk, max_items=4, max_delay=0.1)
    for n in range(10):
        buffer.add(item(n, role="user" if n % 2 else "agent"))
    await flush_all_buffers()  # what the realtime process does on SIGTERM
    entries = TranscriptEntry.objects.filter(session_id=session.pk)
    for _ in range(300):
        if await entries.acount() == 10:
            break
        await asyncio.sleep(0.05)
    texts = [e.text async for e in entries.order_by("position")]
    assert texts == [f"utterance {n}" for n in range(10)]


async def test_it_runs_the_store_task_from_async_code_in_the_embedded_default(acme_room_committed):
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        buffer = TranscriptBuffer(acme_room_committed.session.pk, max_items=3)
        for n in range(7):
            buffer.add(item(n))
        await buffer.close()
    finally:
        app.conf.task_always_eager = eager
    count = await sync_to_async(TranscriptEntry.objects.filter(session=acme_room_committed.session).count)()
    assert count == 7
