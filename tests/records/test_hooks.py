from __future__ import annotations

import json

import pytest
from django.utils import timezone
from livekit.api import TokenVerifier, WebhookReceiver

from agents.models import Agent
from rooms.models import EndReason, Session
from rooms.records.hooks import registry
from rooms.records.models import DeliveryStatus, HookDelivery, HookKind, ShutdownHook
from rooms.records.services import session_end
from rooms.records.services.sessions import session_hooks_advance
from rooms.records.services.transcripts import transcript_batch_store
from tests.records.conftest import item, wait_until
from tests.records.receiver import receiver


def _hook(agent: Agent, order: int, **fields: object) -> ShutdownHook:
    hook = ShutdownHook(organization=agent.organization, agent=agent, order=order, **fields)
    hook.full_clean()
    hook.save()
    return hook


@pytest.fixture
def helper(world) -> Agent:
    return Agent.objects.create(organization=world.acme, name="Helper", slug="helper")


@pytest.mark.django_db
def test_it_ends_a_session_once_and_enqueues_hooks_after_commit(acme_room, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as first:
        session_end(session_id=acme_room.session.pk, reason=EndReason.CLIENT_ENDED)
    ended = Session.objects.get(pk=acme_room.session.pk)
    assert ended.ended is not None and ended.end_reason == EndReason.CLIENT_ENDED
    assert len(first) == 1
    with django_capture_on_commit_callbacks() as second:
        session_end(session_id=acme_room.session.pk, reason=EndReason.ERROR)
    again = Session.objects.get(pk=acme_room.session.pk)
    assert (again.ended, again.end_reason) == (ended.ended, EndReason.CLIENT_ENDED)
    assert second == []


@pytest.mark.django_db
def test_it_refuses_an_unknown_end_reason(acme_room):
    with pytest.raises(ValueError, match="Unknown end reason"):
        session_end(session_id=acme_room.session.pk, reason="bored")


@pytest.mark.django_db
def test_it_refuses_a_hook_without_an_owner_or_with_a_foreign_one(world, helper):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        ShutdownHook(organization=world.acme, kind=HookKind.PYTHON, python_name="store_report").full_clean()
    with pytest.raises(ValidationError):
        ShutdownHook(organization=world.globex, agent=helper, kind=HookKind.PYTHON,
                     python_name="store_report").full_clean()
    with pytest.raises(ValidationError, match="Choose one of"):
        ShutdownHook(organization=world.acme, agent=helper, kind=HookKind.PYTHON, python_name="nope").full_clean()


@pytest.mark.celery_worker
def test_it_runs_the_agents_hooks_in_order_in_celery_after_the_session_ends(world, acme_room_committed,
                                                                           celery_worker):
    session = acme_room_committed.session
    helper = Agent.objects.create(organization=world.acme, name="Helper", slug="helper")
    Session.objects.filter(pk=session.pk).update(metrics={"usage": {"input_tokens": 120}, "latency": {"p50_ms": 300}})
    transcript_batch_store(session_id=session.pk, items=[item(1), item(2, role="agent"), item(3)])
    with receiver(fail_first=2) as hook_target:
        _hook(helper, 0, kind=HookKind.PYTHON, python_name="transcript_summary")
        _hook(helper, 1, kind=HookKind.WEBHOOK, url=hook_target.url, max_attempts=3)
        _hook(helper, 2, kind=HookKind.PYTHON, python_name="store_report")
        session_end(session_id=session.pk, reason=EndReason.LAST_PARTICIPANT_LEFT)
        wait_until(lambda: not HookDelivery.objects.exclude(status=DeliveryStatus.SUCCEEDED).exists()
                   and HookDelivery.objects.count() == 3, timeout=40, what="all hooks to succeed")
        received = hook_target.requests
    deliveries = list(HookDelivery.objects.filter(session=session).order_by("position"))
    assert [d.target for d in deliveries] == ["transcript_summary", hook_target.url, "store_report"]
    assert [d.attempts for d in deliveries] == [1, 3, 1]
    assert deliveries[0].finished < deliveries[1].started and deliveries[1].finished < deliveries[2].started
    assert deliveries[0].result["by_role"] == {"agent": 1, "user": 2}
    # The webhook hook got a LiveKit-signed end-of-session report.
    WebhookReceiver(TokenVerifier(world.acme_key, world.acme_secret)).receive(
        received[-1].body.decode(), received[-1].headers["Authorization"])
    report = json.loads(received[-1].body)
    assert report["session"]["end_reason"] == "last_participant_left"
    assert [e["text"] for e in report["transcript"]] == ["utterance 1", "utterance 2", "utterance 3"]
    assert report["usage"] == {"input_tokens": 120} and report["latency"] == {"p50_ms": 300}
    assert report["participants"][0]["identity"] == "caller"
    stored = Session.objects.get(pk=session.pk).report
    assert stored["summary"]["entries"] == 3 and stored["room"]["sid"] == acme_room_committed.room.sid


@pytest.mark.django_db
def test_it_records_a_failing_python_hook_and_moves_on(world, helper, acme_room):
    registry.register("test_explodes")(lambda **_: 1 / 0)
    _hook(helper, 0, kind=HookKind.PYTHON, python_name="test_explodes", max_attempts=1)
    _hook(helper, 1, kind=HookKind.PYTHON, python_name="store_report")
    Session.objects.filter(pk=acme_room.session.pk).update(ended=timezone.now(), end_reason=EndReason.ERROR)
    assert session_hooks_advance(session_id=acme_room.session.pk) is None
    failed, stored = HookDelivery.objects.order_by("position")
    assert failed.status == DeliveryStatus.FAILED and "ZeroDivisionError" in failed.error
    assert stored.status == DeliveryStatus.SUCCEEDED


@pytest.mark.django_db
def test_it_gives_up_when_the_total_time_limit_has_passed(world, helper, acme_room, settings):
    settings.SHUTDOWN_HOOK_TIME_LIMIT_SECONDS = 0
    _hook(helper, 0, kind=HookKind.PYTHON, python_name="store_report")
    Session.objects.filter(pk=acme_room.session.pk).update(ended=timezone.now(), end_reason=EndReason.ERROR)
    session_hooks_advance(session_id=acme_room.session.pk)
    delivery = HookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 0
    assert "time limit" in delivery.error
