"""Transcript persistence: items/s through TranscriptBuffer → Redis → a real Celery worker → PostgreSQL,
and the time from a session's end (buffer close) until its whole transcript is in the database.

Run: DATABASE_URL=postgres://voice:voice@127.0.0.1:5432/voice REDIS_URL=redis://127.0.0.1:6379/15 \
     .venv/bin/python bench/transcripts.py [--items 5000] [--sessions 20] [--concurrency 2]

Baseline, measured in the same run on the same database: the same rows written in-process with
plain ``bulk_create`` in the same batch size (no broker, no worker).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "platform"), str(REPO)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://voice:voice@127.0.0.1:5432/voice")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ["CELERY_QUEUE"] = "bench-" + secrets.token_hex(4)  # a private queue: no other worker steals tasks
if not os.environ.get("FIELD_ENCRYPTION_KEYS"):
    from cryptography.fernet import Fernet

    os.environ["FIELD_ENCRYPTION_KEYS"] = Fernet.generate_key().decode()
    os.environ["SECRET_KEY"] = "bench-" + Fernet.generate_key().decode()

import django  # noqa: E402

django.setup()

from asgiref.sync import sync_to_async  # noqa: E402

from config.celery import app  # noqa: E402
from rooms.models import Room, Session  # noqa: E402
from rooms.records.buffer import TranscriptBuffer  # noqa: E402
from rooms.records.models import TranscriptEntry  # noqa: E402
from rooms.records.services.transcripts import transcript_batch_store  # noqa: E402
from tenancy.models import Organization  # noqa: E402

BATCH = 20


def row(n: int) -> dict[str, object]:
    return {"item_id": f"item_{n}", "seq": 0, "role": "user" if n % 2 else "agent", "speaker": "caller",
            "agent": "", "text": f"utterance number {n} with a few words in it", "tool": None,
            "started_at": "2026-01-01T10:00:00+00:00", "ended_at": "2026-01-01T10:00:01+00:00"}


def new_session(org: Organization) -> Session:
    room = Room.objects.create(organization=org, name="bench-" + secrets.token_hex(4), host="bench")
    return Session.objects.create(organization=org, room=room)


def start_worker(concurrency: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "platform"), str(REPO)])}
    proc = subprocess.Popen([sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork",
                             f"--concurrency={concurrency}", "-Q", os.environ["CELERY_QUEUE"], "--loglevel=WARNING",
                             "--without-gossip", "--without-mingle", "-n", f"bench{secrets.token_hex(3)}@%h"],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while not app.control.ping(timeout=0.5):
        if time.monotonic() > deadline or proc.poll() is not None:
            raise SystemExit("the Celery worker did not start")
    return proc


async def wait_count(session_id: int, count: int) -> None:
    qs = TranscriptEntry.objects.filter(session_id=session_id)
    while await qs.acount() < count:  # noqa: ASYNC110 - polling the database is what is measured
        await asyncio.sleep(0.005)


async def through_worker(session: Session, items: int) -> float:
    start = time.perf_counter()
    buffer = TranscriptBuffer(session.pk, max_items=BATCH)
    for n in range(items):
        buffer.add(row(n))
        if n % BATCH == 0:
            await asyncio.sleep(0)
    await buffer.close()
    await wait_count(session.pk, items)
    return time.perf_counter() - start


def baseline_bulk(session: Session, items: int) -> float:
    start = time.perf_counter()
    for first in range(0, items, BATCH):
        transcript_batch_store(session_id=session.pk, items=[row(n) for n in range(first, min(first + BATCH, items))])
    return time.perf_counter() - start


async def end_to_complete(session: Session, items: int) -> float:
    """Items trickle in during the call; at the end, time close() → last row committed."""
    buffer = TranscriptBuffer(session.pk, max_items=BATCH)
    for n in range(items):
        buffer.add(row(n))
    await asyncio.sleep(0.5)  # the call goes on: earlier batches land meanwhile
    for n in range(items, items + 7):  # the last words, still pending when the session ends
        buffer.add(row(n))
    start = time.perf_counter()
    await buffer.close()
    await wait_count(session.pk, items + 7)
    return time.perf_counter() - start


def baseline_end(session: Session, items: int) -> float:
    transcript_batch_store(session_id=session.pk, items=[row(n) for n in range(items)])
    start = time.perf_counter()
    transcript_batch_store(session_id=session.pk, items=[row(n) for n in range(items, items + 7)])
    return time.perf_counter() - start


async def main(args: argparse.Namespace) -> None:
    org = await sync_to_async(Organization.objects.create)(slug="bench-" + secrets.token_hex(4), name="bench")
    worker = await sync_to_async(start_worker)(args.concurrency)
    try:
        mk = sync_to_async(new_session)
        warm = await mk(org)
        await through_worker(warm, 40)  # broker connection and worker pool warm-up

        ours = await through_worker(await mk(org), args.items)
        base = await sync_to_async(baseline_bulk)(await mk(org), args.items)
        end_ours = [await end_to_complete(await mk(org), 30) for _ in range(args.sessions)]
        end_base = [await sync_to_async(baseline_end)(await mk(org), 30) for _ in range(args.sessions)]
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        await sync_to_async(Organization.objects.filter(pk=org.pk).delete)()

    def ms(values: list[float]) -> str:
        ordered = sorted(values)
        return f"p50 {statistics.median(ordered) * 1000:7.1f} ms  p95 {ordered[int(len(ordered) * 0.95) - 1] * 1000:7.1f} ms"

    print(f"\n{'measure':<52} {'through Celery':>30} {'baseline (in-process bulk_create)':>36}")
    print(f"{f'items persisted per second ({args.items} items)':<52} {args.items / ours:>27,.0f}/s {args.items / base:>33,.0f}/s")
    print(f"{f'session end -> complete transcript ({args.sessions} runs)':<52} {ms(end_ours):>30} {ms(end_base):>36}")
    print(f"\ngoal: session end -> complete transcript < 1 s: {'met' if max(end_ours) < 1 else 'NOT met'} "
          f"(worst {max(end_ours) * 1000:.0f} ms); worker concurrency {args.concurrency}, batch {BATCH}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=2)
    asyncio.run(main(parser.parse_args()))
