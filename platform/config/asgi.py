"""ASGI entry point: HTTP through Django (but for API-key token calls), WebSockets through origin
validation (for sockets without a grant) and auth."""

from __future__ import annotations

import gc
import importlib
import os

from django.conf import settings
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Django must be set up before anything that imports models (consumers, middleware).
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402

from config.websocket import websocket_application  # noqa: E402
from rooms.apis.token_asgi import token_endpoint_router  # noqa: E402
from rooms.ws_auth import OriginCheckUnlessGranted  # noqa: E402

application = ProtocolTypeRouter(
    {
        # The token endpoint's API-key calls skip Django's per-request thread (see token_asgi).
        "http": token_endpoint_router(django_asgi_app),
        "websocket": OriginCheckUnlessGranted(websocket_application()),
    }
)

# Django loads the URLconf (and with it the views, DRF and the schema generator) on the first HTTP
# request; loading it now puts those long-lived objects under the freeze below instead of in the
# collector's oldest generation, where every full collection would walk them again.
importlib.import_module(settings.ROOT_URLCONF)

# Everything loaded so far (Django, the apps, their modules) lives as long as the process. Moving it
# out of the collector's reach turns a full collection from ~30 ms, a stall every live audio stream
# in the process would feel, into well under a millisecond.
gc.collect()  # startup garbage first, or it would be kept for good
gc.freeze()

# A live session allocates and frees thousands of objects a second while its heap stays flat, so
# the default young-generation threshold (700) ran ~29 young collections a second at 60 sessions and
# promoted enough survivors to trigger a full collection every ~3 s, each an 11-22 ms stall of every
# stream in the process. At 10,000 the collector ran 2 young collections a second, no full one, and
# spent a quarter to a third of the time (README, "Performance").
gc.set_threshold(10_000, *gc.get_threshold()[1:])
