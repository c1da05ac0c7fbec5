from __future__ import annotations

import httpx
import pytest

from tests.support.servers import daphne, free_port, manage, project_env

pytestmark = pytest.mark.django_db


def test_healthz_answers(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_checks_database_channel_layer_and_broker(client):
    r = client.get("/readyz")
    assert r.status_code == 200, r.content
    assert r.json()["checks"] == ["broker", "channel_layer", "database"]


def _embedded_env(tmp_path, **extra: str) -> dict[str, str]:
    env = project_env(DEBUG="1", RUN_DIR=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
                      DJANGO_SETTINGS_MODULE="config.settings")
    for name in ("REDIS_URL", "SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "CELERY_QUEUE"):
        env.pop(name, None)
    return env | extra


def test_make_run_steps_serve_health_and_admin_login_with_no_services(tmp_path):
    """What `make run` does, on an empty SQLite file: migrate, provision twice, serve."""
    env = _embedded_env(tmp_path)
    manage("migrate", "--noinput", env=env)
    assert "created" in manage("provisiondev", env=env).stdout
    assert "already provisioned" in manage("provisiondev", env=env).stdout
    with daphne(env, free_port()) as base:
        assert httpx.get(f"{base}/healthz").status_code == 200
        assert httpx.get(f"{base}/readyz").json()["status"] == "ok"
        login = httpx.get(f"{base}/admin/login/")
        assert login.status_code == 200 and 'name="username"' in login.text
        with httpx.Client(base_url=base) as web:
            page = web.get("/admin/login/")
            token = web.cookies["csrftoken"]
            assert "csrfmiddlewaretoken" in page.text
            r = web.post("/admin/login/?next=/admin/", data={"username": "admin", "password": "admin",
                         "csrfmiddlewaretoken": token, "next": "/admin/"}, follow_redirects=True)
            assert r.status_code == 200 and "Site administration" in r.text


def test_readyz_names_what_failed(tmp_path):
    dead = f"redis://127.0.0.1:{free_port()}/0"
    env = _embedded_env(tmp_path, REDIS_URL=dead)
    manage("migrate", "--noinput", env=env)
    with daphne(env, free_port()) as base:
        r = httpx.get(f"{base}/readyz", timeout=30)
        assert r.status_code == 503
        assert set(r.json()["failed"]) == {"channel_layer", "broker"}
