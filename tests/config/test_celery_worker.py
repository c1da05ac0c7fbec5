from __future__ import annotations

import time

import pytest

from tenancy.models import ApiKey
from tenancy.tasks import api_key_mark_used


@pytest.mark.celery_worker
def test_a_real_worker_runs_a_task_against_the_test_database(world, celery_worker):
    key = ApiKey.objects.get(key_id=world.acme_key)
    assert key.last_used is None
    api_key_mark_used.delay(key.pk)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        key.refresh_from_db()
        if key.last_used is not None:
            break
        time.sleep(0.1)
    assert key.last_used is not None
