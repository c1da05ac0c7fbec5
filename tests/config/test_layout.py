"""The platform/ folder must never shadow the standard library's `platform` module."""

from __future__ import annotations

import subprocess
import sys

from tests.support.servers import REPO, project_env


def test_platform_folder_is_not_a_package():
    assert not (REPO / "platform" / "__init__.py").exists()


def test_stdlib_platform_still_works_from_the_repo_root():
    for code in ("import platform; platform.system()", "import uuid, platform; print(platform.python_implementation())"):
        subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, env=project_env())


def test_config_and_celery_import_from_anywhere(tmp_path):
    env = project_env(DEBUG="1", RUN_DIR=str(tmp_path))
    subprocess.run([sys.executable, "-c", "import config.asgi, platform; platform.system()"], cwd=tmp_path,
                   env=env | {"DJANGO_SETTINGS_MODULE": "config.settings"}, check=True)
    report = subprocess.run([sys.executable, "-m", "celery", "-A", "config", "report"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, check=True)
    assert "celery:" in report.stdout
