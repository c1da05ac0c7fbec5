"""ASGI entry point: HTTP through Django (but for API-key token calls), WebSockets through origin
validation and auth."""

from __future__ import annotations

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Django must be set up before anything that imports models (consumers, middleware).
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from config.websocket import websocket_application  # noqa: E402
from rooms.apis.token_asgi import token_endpoint_router  # noqa: E402

application = ProtocolTypeRouter(
    {
        # The token endpoint's API-key calls skip Django's per-request thread (see token_asgi).
        "http": token_endpoint_router(django_asgi_app),
        "websocket": AllowedHostsOriginValidator(websocket_application()),
    }
)

# Everything loaded so far (Django, the apps, their modules) lives as long as the process. Moving it
# out of the collector's reach turns a full collection from ~30 ms, a stall every live audio stream
# in the process would feel, into well under a millisecond.
gc.collect()  # startup garbage first, or it would be kept for good
gc.freeze()
