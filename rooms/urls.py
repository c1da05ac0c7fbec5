from __future__ import annotations

from django.urls import URLPattern, path

from rooms.apis.tokens import token_create
from rooms.views_agentscope import model_availability

urlpatterns: list[URLPattern] = [
    # LiveKit's standard token endpoint: site root, no trailing slash.
    path("api/token", token_create, name="rooms-token"),
    path("api/check-models", model_availability, name="agentscope-check-models"),
    path("model_availability", model_availability, name="agentscope-model-availability"),
]
