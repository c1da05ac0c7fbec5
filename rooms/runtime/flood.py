"""Abuse limits on one socket. Ordinary bad input gets an error event; only these close it."""

from __future__ import annotations

import time
from collections.abc import Callable

# A frame larger than this is never legitimate (the largest valid event, a 2 MiB image, is ~2.8 MB
# as base64); the socket closes with 1009.
MAX_FRAME_BYTES = 4 * 1024 * 1024
# Sustained rate: 20 ms audio frames are 50/s; this allows bursts far above that.
RATE_PER_SECOND = 400.0
BURST = 2000.0


class FloodGuard:
    """A token bucket: ``allow()`` is False once a client sustains more than ``RATE_PER_SECOND``."""

    def __init__(self, rate: float = RATE_PER_SECOND, burst: float = BURST,
                 clock: Callable[[], float] = time.monotonic):
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._tokens = burst
        self._at = clock()

    def allow(self) -> bool:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
        self._at = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True
