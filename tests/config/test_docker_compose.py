"""No Docker engine runs on the build machine, so the compose file is checked by reading it."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import yaml

from tests.support.servers import REPO, uvicorn_args

# The documented uvicorn command (README, "Deployment"), which the live tests run the platform with.
UVICORN = ["uvicorn", *uvicorn_args("0.0.0.0", 8000)]  # noqa: S104 - a container listens on all interfaces


def _compose() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


def test_it_defines_the_five_services():
    assert set(_compose()["services"]) == {"web", "worker", "beat", "redis", "postgres"}


def test_app_services_share_wired_environment_and_no_secret_literals():
    services = _compose()["services"]
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://voice:${POSTGRES_PASSWORD") and "@postgres:5432/" in env["DATABASE_URL"]
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        assert env["DEBUG"] == "0"
        for secret in ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS"):
            assert re.fullmatch(r"\$\{" + secret + r":\?.+\}", env[secret])
        assert services[name]["build"] == "."
    assert services["worker"]["command"].startswith("celery -A config worker")
    assert services["beat"]["command"].startswith("celery -A config beat")


def test_web_migrates_then_execs_the_documented_uvicorn_command():
    web = _compose()["services"]["web"]
    shell, flag, script = shlex.split(web["command"])
    assert (shell, flag) == ("sh", "-c")
    migrate, serve = script.split(" && ")
    assert migrate == "python manage.py migrate --noinput"
    # exec, so SIGTERM reaches the server (which ends its sessions and flushes their transcripts)
    # rather than a shell that ignores it until Docker kills both
    assert shlex.split(serve) == ["exec", *UVICORN]
    assert web["stop_grace_period"] == "30s"


def test_the_worker_gets_time_to_finish_shutdown_hooks():
    # Docker's default of 10 s is the cut-off LiveKit's hooks suffer from; the grace must outlast the
    # hooks task's own hard limit, or Docker kills a hook Celery would still have let run.
    from rooms.records.tasks import session_hooks_run

    grace = _compose()["services"]["worker"]["stop_grace_period"]
    assert grace.endswith("s") and int(grace[:-1]) > session_hooks_run.time_limit


@pytest.mark.parametrize(("allowed", "expected"), [
    ("voice.example.com,localhost", "voice.example.com"),
    (".example.com", "example.com"),
    ("*", "localhost"),
])
def test_the_web_health_probe_names_an_allowed_host(allowed, expected):
    # Django answers 400 to a Host outside ALLOWED_HOSTS: a probe sending 127.0.0.1 would mark a
    # correctly configured web service unhealthy for good.
    seen: list[str] = []

    class Readyz(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.headers["Host"])
            self.send_response(200 if self.path == "/readyz" and self.headers["Host"] == expected else 400)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Readyz)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        probe = _compose()["services"]["web"]["healthcheck"]["test"]
        assert probe[:3] == ["CMD", "python", "-c"]
        code = probe[3].replace("127.0.0.1:8000", f"127.0.0.1:{server.server_port}")
        done = subprocess.run([sys.executable, "-c", code], env={**os.environ, "ALLOWED_HOSTS": allowed},
                              capture_output=True, timeout=30, check=False)
    finally:
        server.shutdown()
    assert seen == [expected]
    assert done.returncode == 0, done.stderr.decode()


def test_the_dockerfile_installs_the_project_and_serves_uvicorn():
    text = (REPO / "Dockerfile").read_text()
    assert "pip install --no-cache-dir ." in text
    cmd = re.search(r"^CMD (\[.*?\])$", text.replace("\\\n", ""), re.MULTILINE | re.DOTALL)
    assert cmd is not None and json.loads(cmd.group(1)) == UVICORN
    for folder in ("platform", "agents", "rooms", "frontend"):
        assert f"COPY {folder} ./{folder}" in text
