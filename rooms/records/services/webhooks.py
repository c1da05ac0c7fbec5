"""LiveKit-format room webhooks: recorded in the rooms layer's transaction, sent in order by Celery."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from rooms.models import Participant, Room
from rooms.records.dispatch import publish_on_commit
from rooms.records.livekit_events import webhook_event_body
from rooms.records.models import DeliveryStatus, WebhookDelivery
from rooms.records.queries import webhook_urls_for_room
from rooms.records.services.retrying import attempt_entry, backoff_seconds
from rooms.records.signing import signed_post

logger = logging.getLogger(__name__)

WEBHOOK_TIMEOUT_SECONDS = 10.0
_LOCK_NAMESPACE = 0x7EB0  # advisory-lock namespace for "sending a room's webhooks"


def room_event(*, room_id: int, event: str, participant_id: int | None = None) -> None:
    """Record a LiveKit event for every webhook URL of the room's config; sent after commit."""
    room = Room.objects.filter(pk=room_id).first()
    if room is None:
        raise Room.DoesNotExist(f"Room {room_id} does not exist.")
    webhook_deliveries_create(room=room, event=event, participant_id=participant_id,
                              urls=webhook_urls_for_room(room))


@transaction.atomic
def webhook_deliveries_create(*, room: Room, event: str, participant_id: int | None,
                              urls: list[str]) -> list[WebhookDelivery]:
    if not urls:
        return []
    participant = None
    if participant_id is not None:
        participant = Participant.objects.filter(pk=participant_id, room=room).first()
        if participant is None:
            raise Participant.DoesNotExist(f"Participant {participant_id} is not in room {room.pk}.")
    num_participants = room.participants.filter(left__isnull=True).count()
    event_id, body = webhook_event_body(event=event, room=room, participant=participant,
                                        num_participants=num_participants)
    # The room row lock serialises sequence numbers per room; it is held only for this insert.
    Room.objects.select_for_update().filter(pk=room.pk).values_list("pk", flat=True).get()
    last = WebhookDelivery.objects.filter(room=room).aggregate(m=Max("seq"))["m"] or 0
    deliveries = WebhookDelivery.objects.bulk_create([
        WebhookDelivery(organization_id=room.organization_id, room=room, seq=last + i, event=event,
                        event_id=event_id, url=url, body=body)
        for i, url in enumerate(urls, start=1)
    ])
    from rooms.records.tasks import room_webhooks_send

    publish_on_commit(room_webhooks_send, room.pk)
    return deliveries


@contextlib.contextmanager
def _room_sender_lock(room_id: int) -> Iterator[bool]:
    """One sender per room at a time, without row locks the realtime side could wait on."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_LOCK_NAMESPACE, room_id])
        acquired = bool(cursor.fetchone()[0])
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_LOCK_NAMESPACE, room_id])


def _attempt(delivery: WebhookDelivery) -> bool:
    outcome = signed_post(url=delivery.url, body=delivery.body, organization_id=delivery.organization_id,
                          timeout=WEBHOOK_TIMEOUT_SECONDS)
    now = timezone.now()
    delivery.attempts += 1
    delivery.response_code = outcome.status_code
    delivery.error = outcome.error
    delivery.attempt_log = [*delivery.attempt_log, attempt_entry(
        at=now, ok=outcome.ok, status_code=outcome.status_code, error=outcome.error,
        duration_ms=outcome.duration_ms)]
    if outcome.ok:
        delivery.status, delivery.finished, delivery.next_attempt_at = DeliveryStatus.SUCCEEDED, now, None
    elif delivery.attempts >= delivery.max_attempts:
        delivery.status, delivery.finished, delivery.next_attempt_at = DeliveryStatus.FAILED, now, None
        logger.warning("webhook %s to %s failed for good: %s", delivery.event, delivery.url, outcome.error)
    else:
        delivery.next_attempt_at = now + timedelta(seconds=backoff_seconds(delivery.attempts))
    delivery.save(update_fields=["attempts", "response_code", "error", "attempt_log", "status", "finished",
                                 "next_attempt_at"])
    return delivery.status != DeliveryStatus.PENDING


def room_webhooks_deliver(*, room_id: int) -> float | None:
    """Send the room's pending deliveries in sequence order.

    A delivery that fails holds back the later ones (ordering) until it succeeds or runs out of
    attempts. Returns the seconds until the next attempt is due, or None when nothing is waiting.
    """
    with _room_sender_lock(room_id) as acquired:
        if not acquired:
            return None  # another worker is sending this room's queue right now
        pending = WebhookDelivery.objects.filter(room_id=room_id, status=DeliveryStatus.PENDING).order_by("seq")
        for delivery in pending:
            now = timezone.now()
            if delivery.next_attempt_at and delivery.next_attempt_at > now:
                return (delivery.next_attempt_at - now).total_seconds()
            if not _attempt(delivery):
                assert delivery.next_attempt_at is not None
                return max((delivery.next_attempt_at - timezone.now()).total_seconds(), 0.0)
    return None


def webhook_delivery_retry_now(*, delivery: WebhookDelivery) -> None:
    """Admin "retry now": a failed delivery gets a fresh set of attempts."""
    WebhookDelivery.objects.filter(pk=delivery.pk).exclude(status=DeliveryStatus.SUCCEEDED).update(
        status=DeliveryStatus.PENDING, next_attempt_at=None, attempts=0, finished=None)
    from rooms.records.tasks import room_webhooks_send

    publish_on_commit(room_webhooks_send, delivery.room_id)
