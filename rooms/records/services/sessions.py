"""Ending sessions and running their shutdown hooks, in order, in Celery."""

from __future__ import annotations

import json
import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from rooms.models import EndReason, Session
from rooms.records.dispatch import publish_on_commit
from rooms.records.hooks import registry
from rooms.records.models import DeliveryStatus, HookDelivery, HookKind
from rooms.records.queries import session_report, shutdown_hooks_for_session
from rooms.records.services.retrying import attempt_entry, backoff_seconds
from rooms.records.signing import signed_post

logger = logging.getLogger(__name__)


def session_end(*, session_id: int, reason: str) -> None:
    """Mark the session ended (once) and, after commit, start its shutdown hooks in Celery."""
    if reason not in EndReason.values:
        raise ValueError(f"Unknown end reason {reason!r}; expected one of {', '.join(EndReason.values)}.")
    with transaction.atomic():
        ended = Session.objects.filter(pk=session_id, ended__isnull=True).update(
            ended=timezone.now(), end_reason=reason)
        if ended:
            from rooms.records.tasks import session_hooks_run

            # The rows commit with the end, so hooks whose publish is lost (broker down) are still
            # owed: the stuck-delivery sweep finds them, and nothing else would.
            session_hooks_plan(session=Session.objects.select_related("room").get(pk=session_id))
            publish_on_commit(session_hooks_run, session_id)


@transaction.atomic
def session_hooks_plan(*, session: Session) -> list[HookDelivery]:
    """One delivery row per configured hook, created once however often this runs."""
    assert session.ended is not None
    deadline = session.ended + timedelta(seconds=settings.SHUTDOWN_HOOK_TIME_LIMIT_SECONDS)
    for position, hook in enumerate(shutdown_hooks_for_session(session)):
        HookDelivery.objects.get_or_create(session=session, hook=hook, defaults={
            "organization_id": session.organization_id, "position": position, "kind": hook.kind,
            "target": hook.url if hook.kind == HookKind.WEBHOOK else hook.python_name,
            "max_attempts": hook.max_attempts, "time_limit_seconds": hook.time_limit_seconds,
            "deadline": deadline,
        })
    return list(HookDelivery.objects.filter(session=session).order_by("position", "id"))


def _attempt(delivery: HookDelivery, session: Session) -> None:
    started = time.monotonic()
    code: int | None = None
    result = None
    try:
        report = session_report(session)
        if delivery.kind == HookKind.WEBHOOK:
            outcome = signed_post(url=delivery.target, body=json.dumps(report, separators=(",", ":")),
                                  organization_id=session.organization_id, timeout=delivery.time_limit_seconds)
            ok, code, error = outcome.ok, outcome.status_code, outcome.error
        else:
            result = registry.run(delivery.target, session=session, report=report)
            ok, error = True, ""
    except Exception as exc:  # a hook's own failure is recorded, never raised into Celery
        logger.exception("shutdown hook %s for session %s failed", delivery.target, session.pk)
        ok, error = False, f"{type(exc).__name__}: {exc}"[:1000]
    now = timezone.now()
    fields: dict[str, object] = {
        "response_code": code, "error": error, "finished": now if ok else None,
        "attempt_log": [*delivery.attempt_log, attempt_entry(
            at=now, ok=ok, status_code=code, error=error, duration_ms=round((time.monotonic() - started) * 1000, 1))],
    }
    if ok:
        fields.update(status=DeliveryStatus.SUCCEEDED, result=result, next_attempt_at=None)
    elif delivery.attempts >= delivery.max_attempts:
        fields.update(status=DeliveryStatus.FAILED, finished=now, next_attempt_at=None)
    else:
        fields.update(status=DeliveryStatus.PENDING, next_attempt_at=now + timedelta(seconds=backoff_seconds(delivery.attempts)))
    HookDelivery.objects.filter(pk=delivery.pk).update(**fields)


def session_hooks_advance(*, session_id: int) -> float | None:
    """Run the session's hooks in order. Returns seconds until a retry is due, else None.

    Each attempt is claimed with a conditional UPDATE, so a redelivered task never runs one twice.
    """
    session = Session.objects.select_related("room").filter(pk=session_id).first()
    if session is None or session.ended is None:
        logger.warning("shutdown hooks for missing or open session %s skipped", session_id)
        return None
    for delivery in session_hooks_plan(session=session):
        if delivery.status in (DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED):
            continue
        if delivery.status == DeliveryStatus.RUNNING:
            return None  # another worker holds it; the stuck-delivery sweep covers a dead one
        now = timezone.now()
        if now >= delivery.deadline:
            HookDelivery.objects.filter(session=session, status=DeliveryStatus.PENDING).update(
                status=DeliveryStatus.FAILED, finished=now, error="Total shutdown-hook time limit reached.")
            return None
        if delivery.next_attempt_at and delivery.next_attempt_at > now:
            return (delivery.next_attempt_at - now).total_seconds()
        claimed = HookDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.RUNNING, attempts=F("attempts") + 1, started=now)
        if not claimed:
            return None
        delivery.refresh_from_db()
        _attempt(delivery, session)
        delivery.refresh_from_db()
        if delivery.status == DeliveryStatus.PENDING:
            assert delivery.next_attempt_at is not None
            return max((delivery.next_attempt_at - timezone.now()).total_seconds(), 0.0)
    return None


def hook_delivery_retry_now(*, delivery: HookDelivery) -> None:
    """Admin "retry now": a fresh set of attempts and a fresh time budget for this hook."""
    deadline = timezone.now() + timedelta(seconds=settings.SHUTDOWN_HOOK_TIME_LIMIT_SECONDS)
    HookDelivery.objects.filter(pk=delivery.pk).exclude(status=DeliveryStatus.RUNNING).update(
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=None, finished=None, deadline=deadline)
    from rooms.records.tasks import session_hooks_run

    publish_on_commit(session_hooks_run, delivery.session_id)
