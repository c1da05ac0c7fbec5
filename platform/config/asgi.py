"""ASGI entry point: HTTP through Django (but for API-key token calls), WebSockets through origin
validation and auth."""

from __future__ import annotations

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
