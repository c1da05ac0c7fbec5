"""Backoff and attempt bookkeeping shared by webhook deliveries and shutdown hook deliveries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

RETRY_BASE_SECONDS = 1.0
RETRY_MAX_SECONDS = 60.0


def backoff_seconds(attempts: int) -> float:
    """1 s, 2 s, 4 s ... capped at a minute, after the ``attempts``-th failure."""
    return float(min(RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), RETRY_MAX_SECONDS))


def attempt_entry(*, at: datetime, ok: bool, status_code: int | None, error: str, duration_ms: float) -> dict[str, Any]:
    return {"at": at.isoformat(), "ok": ok, "status_code": status_code, "error": error[:500],
            "duration_ms": duration_ms}
