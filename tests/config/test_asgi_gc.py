"""The ASGI process keeps its startup objects out of the cyclic collector, so a full collection does
not stall every live audio stream it serves."""

from __future__ import annotations

import subprocess
import sys

from tests.support.servers import REPO, project_env

_PROBE = """
import gc
import config.asgi
print(gc.get_freeze_count(), len(gc.get_objects()))  # frozen, and what a full collection would walk
"""


def test_a_full_collection_in_the_asgi_process_is_quick() -> None:
    # A fresh interpreter: the test process's own objects would blur the figure.
    out = subprocess.run([sys.executable, "-c", _PROBE], cwd=REPO, env=project_env(), capture_output=True,
                         text=True, check=True, timeout=60).stdout.split()
    frozen, walked = int(out[0]), int(out[1])
    assert frozen > 50_000  # Django and the apps, loaded at startup
    assert walked < frozen / 10  # a full collection walks a small fraction of the heap
