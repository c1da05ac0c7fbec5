"""The ASGI process keeps its long-lived objects out of the cyclic collector and collects rarely, so a
collection does not stall every live audio stream it serves."""

from __future__ import annotations

import subprocess
import sys

from tests.support.servers import REPO, project_env

_PROBE = """
import gc
import config.asgi
from django.urls import resolve

print(gc.get_freeze_count(), len(gc.get_objects()))  # frozen, and what a full collection would walk
resolve("/healthz")  # what the first HTTP request does
print(len(gc.get_objects()), gc.get_threshold()[0])
"""


def _probe() -> list[int]:
    # A fresh interpreter: the test process's own objects would blur the figures.
    out = subprocess.run([sys.executable, "-c", _PROBE], cwd=REPO, env=project_env(), capture_output=True,
                         text=True, check=True, timeout=60).stdout.split()
    return [int(x) for x in out]


def test_a_full_collection_in_the_asgi_process_is_quick() -> None:
    frozen, walked, after_first_request, _ = _probe()
    assert frozen > 50_000  # Django and the apps, loaded at startup
    assert walked < frozen / 10  # a full collection walks a small fraction of the heap
    # The URLconf, its views, DRF and the schema generator (~7,500 objects) were loaded before the
    # freeze, not by the first request into the collector's oldest generation.
    assert after_first_request - walked < 1_000


def test_young_collections_are_rare() -> None:
    # The default of 700 meant ~29 young collections a second at 60 live sessions and a full one
    # every few seconds (see config.asgi).
    assert _probe()[3] >= 10_000
