"""Worker settings for fault tests: unacked tasks become visible again after 3 s instead of 20 min,
so a task lost with a SIGKILLed worker is redelivered within the test."""

from __future__ import annotations

from config.test_settings import *  # noqa: F403

CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3, "unacked_restore_interval": 1,
                                   "unacked_restore_throttle": 1}
