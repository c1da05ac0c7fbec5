"""Periodic cleanup (Celery beat): end rooms whose process died, re-kick stuck deliveries."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from rooms.models import EndReason, Room, RoomStatus
from rooms.records.dispatch import publish
from rooms.records.models import DeliveryStatus, HookDelivery, WebhookDelivery

logger = logging.getLogger(__name__)

ROOM_STALE_AFTER = timedelta(seconds=60)
# A delivery whose retry has been due this long lost its task (worker died, broker flushed).
DELIVERY_STUCK_AFTER = timedelta(seconds=30)


def rooms_reap_dead(*, stale_after: timedelta = ROOM_STALE_AFTER) -> list[int]:
    """End active rooms whose host stopped heartbeating; their sessions end with PROCESS_DIED."""
    from rooms.services.live import room_close

    cutoff = timezone.now() - stale_after
    dead = list(Room.objects.filter(status=RoomStatus.ACTIVE).filter(
        Q(heartbeat__lt=cutoff) | Q(heartbeat__isnull=True, created__lt=cutoff)).values_list("pk", flat=True))
    for room_id in dead:
        logger.warning("room %s stopped heartbeating; ending it", room_id)
        room_close(room_id=room_id, reason=EndReason.PROCESS_DIED)
    return dead


def deliveries_retry_stuck(*, stuck_after: timedelta = DELIVERY_STUCK_AFTER) -> int:
    from rooms.records.tasks import room_webhooks_send, session_hooks_run

    now = timezone.now()
    due = Q(next_attempt_at__lt=now - stuck_after) | Q(next_attempt_at__isnull=True, created__lt=now - stuck_after)
    rooms = set(WebhookDelivery.objects.filter(due, status=DeliveryStatus.PENDING).values_list("room_id", flat=True))
    # A hook left RUNNING past its own limit belonged to a worker that died mid-attempt.
    for delivery in HookDelivery.objects.filter(status=DeliveryStatus.RUNNING, started__isnull=False):
        if delivery.started and now - delivery.started > timedelta(seconds=delivery.time_limit_seconds) + stuck_after:
            HookDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.RUNNING).update(
                status=DeliveryStatus.PENDING, next_attempt_at=None, error="The worker running this hook died.")
    # A session's task is in flight while one of its hooks runs or waits for a scheduled retry; its
    # later hooks wait behind that one, so resending it would only start a second chain of retries.
    in_flight = HookDelivery.objects.filter(
        Q(status=DeliveryStatus.RUNNING)
        | Q(status=DeliveryStatus.PENDING, next_attempt_at__gte=now - stuck_after)).values("session_id")
    sessions = set(HookDelivery.objects.filter(due, status=DeliveryStatus.PENDING)
                   .exclude(session_id__in=in_flight).values_list("session_id", flat=True))
    for room_id in rooms:
        publish(room_webhooks_send, room_id)
    for session_id in sessions:
        publish(session_hooks_run, session_id)
    return len(rooms) + len(sessions)
