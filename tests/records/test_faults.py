"""Fault tests with real worker processes, real Redis and PostgreSQL."""

from __future__ import annotations

import asyncio
import time

import psycopg
import pytest
from django.conf import settings

from rooms.models import Session
from rooms.records.buffer import TranscriptBuffer, flush_all_buffers
from rooms.records.models import TranscriptEntry
from rooms.records.tasks import transcript_batch_store
from tests.records.conftest import item, make_live_room, wait_until

pytestmark = pytest.mark.celery_worker


def _dsn() -> str:
    db = settings.DATABASES["default"]
    return f"host={db['HOST']} port={db['PORT']} dbname={db['NAME']} user={db['USER']} password={db['PASSWORD']}"


@pytest.fixture
def fast_redelivery(celery_workers, monkeypatch):
    """Workers whose broker re-offers unacked tasks after 3 s, not 20 min, so the test sees it."""
    base = celery_workers.env
    monkeypatch.setattr(celery_workers, "env",
                        lambda: {**base(), "DJANGO_SETTINGS_MODULE": "tests.records.worker_settings"})
    return celery_workers


def test_it_stores_every_entry_exactly_once_when_the_worker_is_killed_mid_batch(acme_room_committed,
                                                                                fast_redelivery):
    session = acme_room_committed.session
    victim = fast_redelivery.start("victim")
    items = [item(n, role="user" if n % 2 else "agent") for n in range(200)]
    with psycopg.connect(_dsn()) as locker:
        # Hold the table so the worker is provably inside a batch (its INSERT waits) when killed.
        locker.execute("LOCK TABLE records_transcriptentry IN EXCLUSIVE MODE")
        for start in range(0, 200, 20):
            transcript_batch_store.delay(session.pk, [{**i, "position": start + k}
                                                      for k, i in enumerate(items[start:start + 20])])
        with psycopg.connect(_dsn(), autocommit=True) as probe:
            def insert_waiting() -> bool:
                row = probe.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                    "AND query LIKE 'INSERT INTO \"records_transcriptentry\"%%'").fetchone()
                return bool(row and row[0])
            wait_until(insert_waiting, what="the worker's INSERT to wait on the lock")
        fast_redelivery.kill(victim)
        locker.rollback()
    time.sleep(3.5)  # past the visibility timeout: the killed task is visible again
    fast_redelivery.start("rescuer")
    entries = TranscriptEntry.objects.filter(session=session)
    wait_until(lambda: entries.count() >= 200, timeout=60, what="all 200 entries")
    time.sleep(1)  # a late duplicate would show up now
    assert entries.count() == 200
    assert sorted(entries.values_list("item_id", flat=True)) == sorted(i["item_id"] for i in items)


async def test_it_keeps_ten_concurrent_sessions_of_500_items_without_loss_or_duplicates(world, transactional_db,
                                                                                       celery_workers):
    from asgiref.sync import sync_to_async

    rooms = [await sync_to_async(make_live_room)(world.acme, f"volume-{n}") for n in range(10)]
    await sync_to_async(celery_workers.start)("volume", 2)

    async def talk(session: Session) -> None:
        buffer = TranscriptBuffer(session.pk)
        for n in range(500):
            buffer.add(item(n, role="user" if n % 2 else "agent", text=f"{session.pk}:{n}"))
            if n % 25 == 0:
                await asyncio.sleep(0.01)

    await asyncio.gather(*(talk(r.session) for r in rooms))
    await flush_all_buffers()
    ids = [r.session.pk for r in rooms]
    entries = TranscriptEntry.objects.filter(session_id__in=ids)
    for _ in range(1200):
        if await entries.acount() >= 5000:
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(1)
    assert await entries.acount() == 5000
    for session_id in ids:
        texts = [t async for t in entries.filter(session_id=session_id).order_by("position").values_list("text", flat=True)]
        assert texts == [f"{session_id}:{n}" for n in range(500)]
