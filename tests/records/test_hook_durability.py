"""Shutdown hooks survive a broker that is down when the session ends, and eager retries wait."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from agents.models import Agent
from config.celery import app
from rooms.models import EndReason, Session
from rooms.records import tasks
from rooms.records.models import DeliveryStatus, HookDelivery, HookKind, ShutdownHook
from rooms.records.services import session_end
from rooms.records.services.cleanup import deliveries_retry_stuck
from tests.records.conftest import make_live_room, wait_until
from tests.records.receiver import receiver


def _hook(agent: Agent, order: int, **fields: object) -> ShutdownHook:
    hook = ShutdownHook(organization=agent.organization, agent=agent, order=order, **fields)
    hook.full_clean()
    hook.save()
    return hook


@contextmanager
def broker_unreachable() -> Iterator[None]:
    """Publishing from this process goes to a port nobody listens on (a real connection refusal).

    Celery caches its producer connections, so they are dropped on the way in and on the way out.
    Worker processes keep their own broker connection and are unaffected.
    """
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))  # bound, never listening: the port stays ours and refuses connections
    saved = app.conf.broker_write_url
    app.conf.broker_write_url = f"redis://127.0.0.1:{closed.getsockname()[1]}/0"
    app._pool = app.amqp._producer_pool = None
    try:
        yield
    finally:
        app.conf.broker_write_url = saved
        app._pool = app.amqp._producer_pool = None
        closed.close()


@pytest.fixture
def eager_celery() -> Iterator[None]:
    """The embedded default: no broker, tasks run in this process."""
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = saved


@pytest.mark.django_db
def test_it_records_the_hooks_a_session_is_owed_in_the_transaction_that_ends_it(
        world, acme_room, django_capture_on_commit_callbacks):
    helper = Agent.objects.create(organization=world.acme, name="Helper", slug="helper")
    _hook(helper, 0, kind=HookKind.WEBHOOK, url="http://127.0.0.1:9/hook")
    _hook(helper, 1, kind=HookKind.PYTHON, python_name="store_report")
    with django_capture_on_commit_callbacks() as published:
        session_end(session_id=acme_room.session.pk, reason=EndReason.CLIENT_ENDED)
    assert len(published) == 1
    ended = Session.objects.get(pk=acme_room.session.pk).ended
    assert ended is not None
    deadline = ended + timedelta(seconds=settings.SHUTDOWN_HOOK_TIME_LIMIT_SECONDS)
    rows = list(HookDelivery.objects.filter(session=acme_room.session).order_by("position")
                .values_list("target", "status", "attempts", "deadline"))
    assert rows == [("http://127.0.0.1:9/hook", DeliveryStatus.PENDING, 0, deadline),
                    ("store_report", DeliveryStatus.PENDING, 0, deadline)]


@pytest.mark.django_db
def test_the_sweep_resends_only_sessions_whose_hooks_have_no_task_in_flight(world):
    long_ago = timezone.now() - timedelta(minutes=5)

    def ended_session(name: str, *rows: dict[str, object]) -> None:
        session = make_live_room(world.acme, name).session
        Session.objects.filter(pk=session.pk).update(ended=long_ago, end_reason=EndReason.CLIENT_ENDED)
        for position, fields in enumerate(rows):
            delivery = HookDelivery.objects.create(
                organization=world.acme, session=session, position=position, kind=HookKind.PYTHON,
                target="store_report", deadline=timezone.now() + timedelta(minutes=5), **fields)
            HookDelivery.objects.filter(pk=delivery.pk).update(created=long_ago)

    # A worker is inside the first hook; the second waits for it, not for the sweep.
    ended_session("running", {"status": DeliveryStatus.RUNNING, "attempts": 1, "started": timezone.now()}, {})
    # The first hook's retry is scheduled (a task is waiting for it); the second waits behind it.
    ended_session("retrying", {"attempts": 1, "next_attempt_at": timezone.now() + timedelta(seconds=20)}, {})
    # Never started, nothing in flight: the publish at session end was lost.
    ended_session("lost", {}, {})
    assert deliveries_retry_stuck() == 1


@pytest.mark.celery_worker
def test_hooks_whose_publish_failed_at_session_end_are_run_by_the_sweep(world, acme_room_committed, celery_worker,
                                                                        caplog):
    session = acme_room_committed.session
    helper = Agent.objects.create(organization=world.acme, name="Helper", slug="helper")
    with receiver() as target:
        _hook(helper, 0, kind=HookKind.WEBHOOK, url=target.url)
        _hook(helper, 1, kind=HookKind.PYTHON, python_name="store_report")
        after: list[str] = []
        with broker_unreachable(), caplog.at_level(logging.ERROR), transaction.atomic():
            session_end(session_id=session.pk, reason=EndReason.CLIENT_ENDED)
            transaction.on_commit(lambda: after.append("ran"))
        assert after == ["ran"], "a failed publish must not skip the transaction's other commit hooks"
        assert any("records.session_hooks_run" in r.getMessage() for r in caplog.records
                   if r.levelno >= logging.ERROR), "the failed publish is logged"
        deliveries = HookDelivery.objects.filter(session=session).order_by("position")
        time.sleep(1)  # the running worker would have started a hook by now had anything reached it
        assert [(d.status, d.attempts) for d in deliveries] == [(DeliveryStatus.PENDING, 0)] * 2
        assert target.requests == []
        # As if the sweep's grace period had passed since the session ended.
        HookDelivery.objects.filter(session=session).update(created=timezone.now() - timedelta(minutes=2))
        tasks.deliveries_retry_stuck.delay()  # what beat sends every minute
        wait_until(lambda: not deliveries.exclude(status=DeliveryStatus.SUCCEEDED).exists(), timeout=40,
                   what="the swept hooks to succeed")
        assert len(target.requests) == 1
    assert list(deliveries.values_list("attempts", flat=True)) == [1, 1]
    assert Session.objects.get(pk=session.pk).report["session"]["end_reason"] == EndReason.CLIENT_ENDED


def test_in_the_embedded_default_a_failed_hook_is_retried_once_after_its_backoff(world, acme_room_committed,
                                                                                 eager_celery):
    helper = Agent.objects.create(organization=world.acme, name="Helper", slug="helper")
    with receiver(fail_first=1) as target:
        _hook(helper, 0, kind=HookKind.WEBHOOK, url=target.url, max_attempts=3)
        session_end(session_id=acme_room_committed.session.pk, reason=EndReason.CLIENT_ENDED)
        delivery = HookDelivery.objects.filter(session=acme_room_committed.session)
        wait_until(lambda: delivery.filter(status=DeliveryStatus.SUCCEEDED).exists(), timeout=15,
                   what="the retried hook to succeed")
        time.sleep(0.5)  # a stray third request would arrive now
        assert len(target.requests) == 2
    done = delivery.get()
    assert done.attempts == 2
    assert [a["status_code"] for a in done.attempt_log] == [503, 200]
