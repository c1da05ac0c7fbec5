from __future__ import annotations

import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_secret
from tests.support.servers import REPO, project_env


def test_env_bool_rejects_junk(monkeypatch):
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FLAG must be a boolean"):
        env_bool("FLAG")
    monkeypatch.setenv("FLAG", "on")
    assert env_bool("FLAG") is True


def test_env_int_and_list(monkeypatch):
    monkeypatch.setenv("N", "x")
    with pytest.raises(ImproperlyConfigured):
        env_int("N", 1)
    monkeypatch.setenv("HOSTS", "a.example, b.example,")
    assert env_list("HOSTS") == ["a.example", "b.example"]


def test_env_secret_reads_a_file(monkeypatch, tmp_path):
    path = tmp_path / "s"
    path.write_text("from-file\n")
    monkeypatch.setenv("MY_SECRET_FILE", str(path))
    assert env_secret("MY_SECRET") == "from-file"


def _import_settings(**env: str) -> subprocess.CompletedProcess[str]:
    base = project_env(**env)
    for name in ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "DEBUG"):
        if name not in env:
            base.pop(name, None)
    return subprocess.run([sys.executable, "-c", "import config.settings"], cwd=REPO, env=base,
                          capture_output=True, text=True, check=False)


def test_production_refuses_to_start_without_a_secret_key():
    result = _import_settings(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY is required when DEBUG is off" in result.stderr


def test_production_refuses_to_start_without_encryption_keys():
    result = _import_settings(DEBUG="0", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS is required" in result.stderr


def test_embedded_default_uses_sqlite_memory_layer_and_eager_celery(tmp_path):
    code = ("from django.conf import settings as s; import django; django.setup();"
            "print(s.DATABASES['default']['ENGINE'], s.CHANNEL_LAYERS['default']['BACKEND'], s.CELERY_TASK_ALWAYS_EAGER)")
    env = project_env(DEBUG="1", RUN_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="config.settings")
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["django.db.backends.sqlite3", "channels.layers.InMemoryChannelLayer", "True"]
