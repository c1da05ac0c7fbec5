"""Celery tasks: ids and JSON in, one service call each, idempotent (``acks_late`` is global)."""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task
from django.conf import settings
from django.db import DatabaseError

from rooms.records.dispatch import publish
from rooms.records.services import cleanup, sessions, transcripts, webhooks

_HOOKS_SOFT_LIMIT = int(settings.SHUTDOWN_HOOK_TIME_LIMIT_SECONDS) + 60


@shared_task(name="records.transcript_batch_store", ignore_result=True, soft_time_limit=60, time_limit=90,
             autoretry_for=(DatabaseError,), retry_backoff=1, retry_backoff_max=60, max_retries=20)
def transcript_batch_store(session_id: int, items: list[dict[str, Any]]) -> int:
    return transcripts.transcript_batch_store(session_id=session_id, items=items)


@shared_task(bind=True, name="records.room_webhooks_send", ignore_result=True, soft_time_limit=120,
             time_limit=150, autoretry_for=(DatabaseError,), retry_backoff=1, max_retries=10)
def room_webhooks_send(self: Task, room_id: int) -> None:
    wait = webhooks.room_webhooks_deliver(room_id=room_id)
    if wait is not None:
        # A retry is due later: a new message, so the worker slot is free meanwhile. Eager Celery
        # ignores countdown and would recurse at once; publish waits on a thread there instead.
        publish(self, room_id, countdown=wait)


@shared_task(bind=True, name="records.session_hooks_run", ignore_result=True,
             soft_time_limit=_HOOKS_SOFT_LIMIT, time_limit=_HOOKS_SOFT_LIMIT + 30,
             autoretry_for=(DatabaseError,), retry_backoff=1, max_retries=10)
def session_hooks_run(self: Task, session_id: int) -> None:
    wait = sessions.session_hooks_advance(session_id=session_id)
    if wait is not None:
        publish(self, session_id, countdown=wait)


@shared_task(name="records.rooms_reap_dead", ignore_result=True, soft_time_limit=120, time_limit=150)
def rooms_reap_dead() -> int:
    return len(cleanup.rooms_reap_dead())


@shared_task(name="records.deliveries_retry_stuck", ignore_result=True, soft_time_limit=60, time_limit=90)
def deliveries_retry_stuck() -> int:
    return cleanup.deliveries_retry_stuck()
