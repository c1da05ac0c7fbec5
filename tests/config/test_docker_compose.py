"""No Docker engine runs on the build machine, so the compose file is checked by reading it."""

from __future__ import annotations

import json
import re
import shlex

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
    # Docker's default of 10 s is the cut-off LiveKit's hooks suffer from; hooks may run 300 s.
    assert _compose()["services"]["worker"]["stop_grace_period"] == "330s"


def test_the_dockerfile_installs_the_project_and_serves_uvicorn():
    text = (REPO / "Dockerfile").read_text()
    assert "pip install --no-cache-dir ." in text
    cmd = re.search(r"^CMD (\[.*?\])$", text.replace("\\\n", ""), re.MULTILINE | re.DOTALL)
    assert cmd is not None and json.loads(cmd.group(1)) == UVICORN
    for folder in ("platform", "agents", "rooms", "frontend"):
        assert f"COPY {folder} ./{folder}" in text
