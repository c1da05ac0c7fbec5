from __future__ import annotations

import json

import pytest
from django.utils import timezone
from livekit.api import TokenVerifier, WebhookReceiver

from rooms.models import Participant
from rooms.records.models import DeliveryStatus, WebhookDelivery
from rooms.records.services.webhooks import room_webhooks_deliver, webhook_deliveries_create
from tests.records.conftest import wait_until
from tests.records.receiver import receiver


def _verified(world, received):
    return WebhookReceiver(TokenVerifier(world.acme_key, world.acme_secret)).receive(
        received.body.decode("utf-8"), received.headers["Authorization"])


@pytest.mark.celery_worker
def test_it_delivers_room_events_in_order_signed_like_livekit(world, acme_room_committed, celery_worker):
    room, person = acme_room_committed.room, acme_room_committed.person
    with receiver() as hook:
        webhook_deliveries_create(room=room, event="room_started", participant_id=None, urls=[hook.url])
        webhook_deliveries_create(room=room, event="participant_joined", participant_id=person.pk, urls=[hook.url])
        Participant.objects.filter(pk=person.pk).update(left=timezone.now(), disconnect_reason="client_initiated")
        webhook_deliveries_create(room=room, event="participant_left", participant_id=person.pk, urls=[hook.url])
        webhook_deliveries_create(room=room, event="room_finished", participant_id=None, urls=[hook.url])
        got = hook.wait_for(4)
    events = [_verified(world, r) for r in got]
    assert [e.event for e in events] == ["room_started", "participant_joined", "participant_left", "room_finished"]
    assert all(e.room.sid == room.sid and e.room.name == room.name for e in events)
    assert events[1].participant.identity == "caller" and events[1].participant.sid == person.sid
    assert events[2].participant.state == 3  # DISCONNECTED
    assert all(e.id.startswith("EV_") and e.created_at > 0 for e in events)
    headers = got[0].headers
    assert headers["Content-Type"] == "application/webhook+json"
    assert headers["User-Agent"] == "LiveKit"
    assert not headers["Authorization"].startswith("Bearer")
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SUCCEEDED}


@pytest.mark.celery_worker
def test_it_retries_a_failing_receiver_and_records_three_attempts(world, acme_room_committed, celery_worker):
    with receiver(fail_first=2) as hook:
        webhook_deliveries_create(room=acme_room_committed.room, event="room_started", participant_id=None,
                                  urls=[hook.url])
        got = hook.wait_for(3)
        delivery = WebhookDelivery.objects.get()
        wait_until(lambda: WebhookDelivery.objects.get().status == DeliveryStatus.SUCCEEDED, what="success")
    delivery.refresh_from_db()
    assert delivery.attempts == 3
    assert [a["status_code"] for a in delivery.attempt_log] == [503, 503, 200]
    assert delivery.response_code == 200
    # Each retry re-sends the very same signed bytes.
    assert got[0].body == got[1].body == got[2].body
    assert _verified(world, got[2]).event == "room_started"


def test_it_holds_later_events_back_until_an_earlier_one_is_delivered(world, acme_room_committed):
    room = acme_room_committed.room
    with receiver(fail_first=1) as hook:
        first = webhook_deliveries_create(room=room, event="room_started", participant_id=None, urls=[hook.url])[0]
        webhook_deliveries_create(room=room, event="room_finished", participant_id=None, urls=[hook.url])
        wait = room_webhooks_deliver(room_id=room.pk)
        assert wait is not None and wait > 0
        assert len(hook.requests) == 1, "the second event must wait behind the failed first one"
        WebhookDelivery.objects.filter(pk=first.pk).update(next_attempt_at=timezone.now())
        assert room_webhooks_deliver(room_id=room.pk) is None
    assert [json.loads(r.body)["event"] for r in hook.requests] == ["room_started", "room_started", "room_finished"]


def test_it_records_a_clear_error_when_the_organization_has_no_key(world, acme_room_committed):
    from tenancy.models import ApiKey

    ApiKey.objects.filter(organization=world.acme).update(revoked=timezone.now())
    with receiver() as hook:
        webhook_deliveries_create(room=acme_room_committed.room, event="room_started", participant_id=None,
                                  urls=[hook.url])
        room_webhooks_deliver(room_id=acme_room_committed.room.pk)
        assert hook.requests == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert "no active API key" in delivery.error


@pytest.mark.django_db
def test_it_records_nothing_for_a_room_without_webhook_urls(acme_room):
    from rooms.records.services import room_event

    room_event(room_id=acme_room.room.pk, event="room_started")
    assert not WebhookDelivery.objects.exists()


@pytest.mark.django_db
def test_it_refuses_an_unknown_event(acme_room):
    with pytest.raises(ValueError, match="Unknown webhook event"):
        webhook_deliveries_create(room=acme_room.room, event="room_exploded", participant_id=None,
                                  urls=["http://127.0.0.1:9/x"])
