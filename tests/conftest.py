"""Shared fixtures: the owner / member / outsider world, API clients and a real Celery worker."""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from rest_framework.test import APIClient

from tenancy.models import Organization, Role
from tenancy.services import api_key_create, membership_set, organization_create

REPO = Path(__file__).resolve().parent.parent


@dataclass
class World:
    """alice owns acme, bob is a read-only member of acme, charlie owns globex (the outsider)."""

    acme: Organization
    globex: Organization
    alice: User
    bob: User
    charlie: User
    acme_key: str
    acme_secret: str
    globex_key: str
    globex_secret: str


def _user(username: str) -> User:
    return User.objects.create_user(username=username, password="pw-" + username, is_staff=True)


@pytest.fixture
def world(db: None) -> World:
    acme = organization_create(slug="acme", name="Acme")
    globex = organization_create(slug="globex", name="Globex")
    alice, bob, charlie = _user("alice"), _user("bob"), _user("charlie")
    membership_set(user=alice, organization=acme, role=Role.OWNER)
    membership_set(user=bob, organization=acme, role=Role.MEMBER)
    membership_set(user=charlie, organization=globex, role=Role.OWNER)
    a = api_key_create(organization=acme, label="acme test")
    g = api_key_create(organization=globex, label="globex test")
    return World(acme, globex, alice, bob, charlie, a.api_key.key_id, a.secret, g.api_key.key_id, g.secret)


def basic_auth(key: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()


@pytest.fixture
def api_as() -> Callable[..., APIClient]:
    """``api_as(user)`` for a signed-in member, ``api_as(key=..., secret=...)`` for an API key."""

    def make(user: User | None = None, *, key: str | None = None, secret: str | None = None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_login(user)
        if key is not None:
            client.credentials(HTTP_AUTHORIZATION=basic_auth(key, secret or ""))
        return client

    return make


@pytest.fixture
def web_as() -> Callable[[User], Client]:
    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


# --- a real Celery worker -------------------------------------------------------------------


class CeleryWorkers:
    """Starts ``celery worker`` processes against the test database and the run's Redis queue."""

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen[bytes]] = []
        self.log_dir = REPO / ".run" / "test-workers"
        self.log_dir.mkdir(parents=True, exist_ok=True)

    def env(self) -> dict[str, str]:
        db = settings.DATABASES["default"]
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="config.test_settings",
            DATABASE_URL=f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            CELERY_QUEUE=settings.CELERY_TASK_DEFAULT_QUEUE,
            PYTHONPATH=os.pathsep.join([str(REPO / "platform"), str(REPO)]),
        )
        return env

    def start(self, name: str = "w", concurrency: int = 1) -> subprocess.Popen[bytes]:
        if not settings.REDIS_URL or settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
            pytest.fail("Celery worker tests need REDIS_URL and a PostgreSQL DATABASE_URL (run `make test`).")
        log = open(self.log_dir / f"{name}-{len(self.procs)}.log", "wb")
        cmd = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork",
               f"--concurrency={concurrency}", "--loglevel=INFO", "-n", f"{name}{len(self.procs)}@%h",
               "-Q", settings.CELERY_TASK_DEFAULT_QUEUE, "--without-gossip", "--without-mingle"]
        proc = subprocess.Popen(cmd, cwd=REPO, env=self.env(), stdout=log, stderr=subprocess.STDOUT)
        self.procs.append(proc)
        self._wait_ready(proc)
        return proc

    def _wait_ready(self, proc: subprocess.Popen[bytes]) -> None:
        from config.celery import app

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"Celery worker exited with {proc.returncode}; see {self.log_dir}")
            replies = app.control.ping(timeout=0.5) or []
            if replies:
                return
        pytest.fail(f"Celery worker did not answer a ping within 30 s; see {self.log_dir}")

    def kill(self, proc: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
        # Kill the whole process group of a prefork worker (parent and children).
        try:
            os.kill(proc.pid, sig)
            for child in _children(proc.pid):
                os.kill(child, sig)
        except ProcessLookupError:
            pass
        proc.wait(timeout=30)

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    self.kill(proc)


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True, check=False)
    return [int(p) for p in out.stdout.split()]


@pytest.fixture
def celery_workers(transactional_db: None) -> Iterator[CeleryWorkers]:
    """Real worker processes; tests using them must commit their data (transactional_db)."""
    workers = CeleryWorkers()
    try:
        yield workers
    finally:
        workers.stop_all()


@pytest.fixture
def celery_worker(celery_workers: CeleryWorkers) -> subprocess.Popen[bytes]:
    return celery_workers.start()
