from __future__ import annotations

from django.urls import URLPattern, path

from rooms.apis.tokens import token_create

urlpatterns: list[URLPattern] = [
    # LiveKit's standard token endpoint: site root, no trailing slash.
    path("api/token", token_create, name="rooms-token"),
]
