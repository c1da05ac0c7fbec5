"""The real platform in a server subprocess (daphne unless asked) on the test database, Redis and test
settings."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator

from django.conf import settings

from tests.support.servers import daphne, free_port, project_env, server_process


def test_database_env(**extra: str) -> dict[str, str]:
    db = settings.DATABASES["default"]
    return project_env(
        DJANGO_SETTINGS_MODULE="config.test_settings",
        DATABASE_URL=f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        **extra,
    )


@contextlib.contextmanager
def platform_server(**extra: str) -> Iterator[str]:
    """Yields the base URL (http://127.0.0.1:PORT) of daphne serving ``config.asgi:application``."""
    with daphne(test_database_env(**extra), free_port()) as base:
        yield base


@contextlib.contextmanager
def platform_process(server: str = "daphne", **extra: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    with server_process(test_database_env(**extra), free_port(), server=server) as served:
        yield served
