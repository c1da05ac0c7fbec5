"""Thin test overlay: fresh secrets per run, fast hashing, anonymous sessions off by default."""

from __future__ import annotations

import os

from cryptography.fernet import Fernet

os.environ.setdefault("SECRET_KEY", "test-" + Fernet.generate_key().decode())
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", Fernet.generate_key().decode())
os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1,testserver")
# One queue per test run, so a worker never picks up tasks a previous run left in Redis.
os.environ.setdefault("CELERY_QUEUE", "test-" + Fernet.generate_key().decode()[:12])

from config.settings import *  # noqa: F403
from config.settings import CHANNEL_LAYERS, DATABASES, REDIS_URL

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOW_ANONYMOUS_SESSIONS = False
TOKEN_RATE_LIMIT_PER_MINUTE = 100_000

# Several suites may run at once on one machine (developers, CI): give each run its own test database
# and channel-layer prefix so they never share state.
_RUN = os.environ.setdefault("TEST_RUN_ID", str(os.getpid()))
if not DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"].setdefault("TEST", {})["NAME"] = f"test_{DATABASES['default']['NAME']}_{_RUN}"
if REDIS_URL:
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = f"asgi-{_RUN}"  # type: ignore[index]
