"""No Docker engine runs on the build machine, so the compose file is checked by reading it."""

from __future__ import annotations

import re

import yaml

from tests.support.servers import REPO


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
    assert "daphne" in services["web"]["command"] and "config.asgi:application" in services["web"]["command"]
    assert services["worker"]["command"].startswith("celery -A config worker")
    assert services["beat"]["command"].startswith("celery -A config beat")


def test_the_dockerfile_installs_the_project_and_serves_daphne():
    text = (REPO / "Dockerfile").read_text()
    assert "pip install --no-cache-dir ." in text
    assert "config.asgi:application" in text
    for folder in ("platform", "agents", "rooms", "frontend"):
        assert f"COPY {folder} ./{folder}" in text
