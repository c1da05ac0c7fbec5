"""Fixed-window rate limits: the sync and async entry points share one counter per bucket, in Redis
when it is configured and in the process otherwise."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from asgiref.sync import async_to_sync

from rooms.ratelimit import rate_limit_ahit, rate_limit_hit


@pytest.mark.parametrize("backend", ["redis", "process"])
def test_sync_and_async_callers_count_against_the_same_window(settings: Any, backend: str) -> None:
    if backend == "process":
        settings.REDIS_URL = ""
    bucket = f"test:{secrets.token_hex(6)}"
    assert rate_limit_hit(bucket, limit=3) is None
    assert async_to_sync(rate_limit_ahit)(bucket, limit=3) is None
    assert rate_limit_hit(bucket, limit=3) is None
    wait = async_to_sync(rate_limit_ahit)(bucket, limit=3)
    assert wait is not None and 1 <= wait <= 60


def test_one_call_counts_every_bucket_and_reports_the_first_one_over(settings: Any) -> None:
    spent, fresh = f"test:{secrets.token_hex(6)}", f"test:{secrets.token_hex(6)}"
    assert async_to_sync(rate_limit_ahit)(spent, limit=1) is None
    assert async_to_sync(rate_limit_ahit)(fresh, spent, limit=1) is not None
    # the fresh bucket was counted too: its one allowed call is used up
    assert rate_limit_hit(fresh, limit=1) is not None
