from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from rooms.models import EndReason, Room, RoomStatus, Session
from rooms.records.services.cleanup import deliveries_retry_stuck, rooms_reap_dead
from tests.records.conftest import make_live_room

pytestmark = pytest.mark.django_db


def test_it_ends_rooms_whose_process_stopped_heartbeating(world, django_capture_on_commit_callbacks):
    dead = make_live_room(world.acme, "dead")
    alive = make_live_room(world.acme, "alive")
    Room.objects.filter(pk=dead.room.pk).update(heartbeat=timezone.now() - timedelta(seconds=120))
    Room.objects.filter(pk=alive.room.pk).update(heartbeat=timezone.now())
    with django_capture_on_commit_callbacks() as queued:
        assert rooms_reap_dead() == [dead.room.pk]
    room = Room.objects.get(pk=dead.room.pk)
    assert room.status == RoomStatus.ENDED and room.end_reason == EndReason.PROCESS_DIED
    session = Session.objects.get(pk=dead.session.pk)
    assert session.ended is not None and session.end_reason == EndReason.PROCESS_DIED
    assert len(queued) >= 1, "the session's shutdown hooks are enqueued"
    assert Room.objects.get(pk=alive.room.pk).status == RoomStatus.ACTIVE
    assert rooms_reap_dead() == []


def test_it_rekicks_hook_deliveries_left_running_by_a_dead_worker(world, acme_room):
    from rooms.records.models import DeliveryStatus, HookDelivery, HookKind

    delivery = HookDelivery.objects.create(
        organization=world.acme, session=acme_room.session, kind=HookKind.PYTHON, target="store_report",
        status=DeliveryStatus.RUNNING, attempts=1, time_limit_seconds=5,
        started=timezone.now() - timedelta(minutes=5), deadline=timezone.now() + timedelta(minutes=5))
    HookDelivery.objects.filter(pk=delivery.pk).update(created=timezone.now() - timedelta(minutes=5))
    assert deliveries_retry_stuck() == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING


def test_it_schedules_only_tasks_that_exist():
    from django.conf import settings

    from config.celery import app

    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled == {"records.rooms_reap_dead", "records.deliveries_retry_stuck"}
    assert scheduled <= set(app.tasks)
