from __future__ import annotations

import pytest
from django.utils import timezone

from agents.models import Agent
from rooms.records.models import DeliveryStatus, HookDelivery, HookKind, ShutdownHook, TranscriptEntry
from rooms.records.services.transcripts import transcript_batch_store
from tests.records.conftest import item

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(world, acme_room):
    transcript_batch_store(session_id=acme_room.session.pk, items=[item(1, text="the secret plan"), item(2)])
    helper = Agent.objects.create(organization=world.acme, name="Helper", slug="helper")
    hook = ShutdownHook.objects.create(organization=world.acme, agent=helper, kind=HookKind.WEBHOOK,
                                       url="http://127.0.0.1:9/x")
    delivery = HookDelivery.objects.create(organization=world.acme, session=acme_room.session, hook=hook,
                                           kind=hook.kind, target=hook.url, status=DeliveryStatus.FAILED,
                                           attempts=3, deadline=timezone.now(), error="HTTP 500")
    return delivery


def test_it_lets_a_member_search_their_transcripts_read_only(world, web_as, records):
    client = web_as(world.bob)
    page = client.get("/admin/records/transcriptentry/", {"q": "secret plan"}).content.decode()
    assert "the secret plan" in page and "utterance 2" not in page
    entry = TranscriptEntry.objects.get(item_id="item_1")
    client.post(f"/admin/records/transcriptentry/{entry.pk}/change/", {"text": "rewritten"})
    entry.refresh_from_db()
    assert entry.text == "the secret plan"


def test_it_hides_transcripts_and_deliveries_from_an_outsider(world, web_as, records):
    client = web_as(world.charlie)
    assert "the secret plan" not in client.get("/admin/records/transcriptentry/").content.decode()
    entry = TranscriptEntry.objects.get(item_id="item_1")
    assert client.get(f"/admin/records/transcriptentry/{entry.pk}/change/").status_code in (302, 404)
    assert client.get(f"/admin/records/hookdelivery/{records.pk}/change/").status_code in (302, 404)
    client.post("/admin/records/hookdelivery/", {"action": "retry_now", "_selected_action": [records.pk]})
    records.refresh_from_db()
    assert records.status == DeliveryStatus.FAILED


def test_it_lets_an_owner_retry_a_failed_hook_delivery(world, web_as, records, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as queued:
        r = web_as(world.alice).post("/admin/records/hookdelivery/",
                                     {"action": "retry_now", "_selected_action": [records.pk]})
    assert r.status_code == 302
    records.refresh_from_db()
    assert records.status == DeliveryStatus.PENDING and records.attempts == 0
    assert len(queued) == 1, "the retry is enqueued after commit"


def test_it_does_not_let_a_member_retry(world, web_as, records):
    r = web_as(world.bob).post("/admin/records/hookdelivery/", {"action": "retry_now", "_selected_action": [records.pk]})
    records.refresh_from_db()
    assert records.status == DeliveryStatus.FAILED
    assert r.status_code in (200, 302, 403)


def test_it_offers_only_the_owners_agents_when_configuring_a_hook(world, web_as, records):
    Agent.objects.create(organization=world.globex, name="Theirs", slug="theirs-agent")
    page = web_as(world.alice).get("/admin/records/shutdownhook/add/").content.decode()
    assert "Helper" in page and "Theirs" not in page
