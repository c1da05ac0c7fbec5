"""Fixed-window rate limits: in Redis when ``REDIS_URL`` is set (shared by every process), else in
this process (the embedded single-process default).

One counter per bucket and window, incremented and given its expiry in a single round trip. The
sync and async entry points count against the same keys, so a caller is limited the same whichever
path (Django view or the token endpoint's native ASGI path) serves it.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass
from typing import TypeVar

import redis
import redis.asyncio as aredis
from django.conf import settings

WINDOW_SECONDS = 60
_KEY_PREFIX = "ratelimit:"


@dataclass(frozen=True)
class _Window:
    key: str
    ends: float  # epoch seconds

    @classmethod
    def of(cls, bucket: str, window: int) -> _Window:
        slot = int(time.time() // window)
        return cls(f"{_KEY_PREFIX}{bucket}:{slot}", (slot + 1) * window)

    def verdict(self, count: int, limit: int) -> int | None:
        """``None`` when under the limit, else whole seconds until the window ends (at least 1)."""
        if count <= limit:
            return None
        return max(1, int(self.ends - time.time() + 0.999))


class _LocalCounters:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[float, int]] = {}

    def incr(self, window: _Window) -> int:
        now = time.time()
        with self._lock:
            if len(self._counts) > 10_000:
                self._counts = {k: v for k, v in self._counts.items() if v[0] > now}
            ends, count = self._counts.get(window.key, (window.ends, 0))
            self._counts[window.key] = (ends, count + 1)
            return count + 1


_local = _LocalCounters()
_sync_client: redis.Redis | None = None
_async_clients: dict[asyncio.AbstractEventLoop, aredis.Redis] = {}


def _redis_url() -> str:
    return str(settings.REDIS_URL or "")


def _sync_redis() -> redis.Redis:
    global _sync_client
    if _sync_client is None:
        _sync_client = redis.Redis.from_url(_redis_url())
    return _sync_client


def _async_redis() -> aredis.Redis:
    # redis.asyncio connections belong to the loop that opened them.
    loop = asyncio.get_running_loop()
    client = _async_clients.get(loop)
    if client is None:
        for stale in [other for other in _async_clients if other.is_closed()]:
            del _async_clients[stale]
        client = _async_clients[loop] = aredis.Redis.from_url(_redis_url())
    return client


_Pipe = TypeVar("_Pipe", redis.client.Pipeline, aredis.client.Pipeline)


def _queue(pipe: _Pipe, windows: list[_Window], window: int) -> _Pipe:
    for current in windows:
        pipe.incr(current.key)
        pipe.expire(current.key, window + 1, nx=True)  # set once, by the first hit of the window
    return pipe


def _verdict(windows: list[_Window], counts: list[int], limit: int) -> int | None:
    waits = [w for current, count in zip(windows, counts, strict=True) if (w := current.verdict(count, limit))]
    return max(waits, default=None)


def rate_limit_hit(*buckets: str, limit: int, window: int = WINDOW_SECONDS) -> int | None:
    """Count one request against each bucket; return the seconds to wait if any is over ``limit``."""
    windows = [_Window.of(bucket, window) for bucket in buckets]
    if not _redis_url():
        return _verdict(windows, [_local.incr(w) for w in windows], limit)
    replies = _queue(_sync_redis().pipeline(transaction=False), windows, window).execute()
    return _verdict(windows, [int(count) for count in replies[::2]], limit)


async def rate_limit_ahit(*buckets: str, limit: int, window: int = WINDOW_SECONDS) -> int | None:
    """``rate_limit_hit`` without blocking the event loop: one Redis round trip for all buckets."""
    windows = [_Window.of(bucket, window) for bucket in buckets]
    if not _redis_url():
        return _verdict(windows, [_local.incr(w) for w in windows], limit)
    replies = await _queue(_async_redis().pipeline(transaction=False), windows, window).execute()
    return _verdict(windows, [int(count) for count in replies[::2]], limit)
