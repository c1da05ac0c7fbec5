from __future__ import annotations

from celery import shared_task


@shared_task(ignore_result=True, soft_time_limit=20, time_limit=30)
def api_key_mark_used(api_key_id: int) -> None:
    """Record use off the request path; a missing key (deleted since) is a no-op."""
    from tenancy.services import api_key_mark_used as mark

    mark(api_key_id=api_key_id)
