"""The REST API under /api/. Each app contributes its routes through its own ``api_urls`` module."""

from __future__ import annotations

from importlib import import_module

from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from api.views import OrganizationCurrentApi

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/organization/", OrganizationCurrentApi.as_view(), name="api-organization"),
]

for app in ("agents", "rooms", "rooms.records"):
    try:
        import_module(f"{app}.api_urls")
    except ModuleNotFoundError as exc:
        if exc.name != f"{app}.api_urls":
            raise
        continue
    urlpatterns.append(path("api/", include(f"{app}.api_urls")))
