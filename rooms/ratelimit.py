"""Fixed-window rate limits in the Django cache (Redis in production, shared by every process)."""

from __future__ import annotations

import time

from django.core.cache import cache

WINDOW_SECONDS = 60


def rate_limit_hit(*, bucket: str, limit: int, window: int = WINDOW_SECONDS) -> int | None:
    """Count one request against ``bucket``; return the seconds to wait if it is over ``limit``."""
    now = time.time()
    slot = int(now // window)
    key = f"ratelimit:{bucket}:{slot}"
    try:
        count = cache.incr(key)
    except ValueError:
        # First hit of the window; another process may add it first, then count on top of theirs.
        count = 1 if cache.add(key, 1, timeout=window + 1) else cache.incr(key)
    if count <= limit:
        return None
    return max(1, int((slot + 1) * window - now + 0.999))
