"""Publishing tasks after commit, without ever running them on the realtime path.

With a broker, publishing is all that happens here. In the embedded default (eager Celery, no
broker) a task would run inline in the caller; we run it on a short-lived thread instead, so a slow
webhook or hook never holds the realtime process's database thread.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from celery import Task
from django.db import connection, transaction

from config.celery import app

logger = logging.getLogger(__name__)


def _run_inline(task: Task, args: tuple[Any, ...], countdown: float | None) -> None:
    def run() -> None:
        if countdown:
            threading.Event().wait(countdown)
        try:
            task.apply(args=args)
        finally:
            connection.close()

    threading.Thread(target=run, name=f"eager-{task.name}", daemon=True).start()


def publish(task: Task, *args: Any, countdown: float | None = None) -> None:
    if app.conf.task_always_eager:
        _run_inline(task, args, countdown)
    else:
        task.apply_async(args=args, countdown=countdown)


def publish_on_commit(task: Task, *args: Any) -> None:
    """Callers commit the rows the task works from first, so a publish lost here (broker down) is
    resent by the stuck-delivery sweep; it must not take the transaction's other commit hooks with it."""

    def send() -> None:
        try:
            publish(task, *args)
        except Exception:
            logger.exception("publishing %s%r failed; the stuck-delivery sweep will resend it", task.name, args)

    transaction.on_commit(send)


__all__ = ["publish", "publish_on_commit"]
