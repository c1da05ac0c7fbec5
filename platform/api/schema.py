"""OpenAPI description of the API-key authentication (registered on import, from ``ApiConfig.ready``)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyBasicScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiKeyBasicAuthentication"
    name = "apiKeyBasic"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "basic",
            "description": "HTTP Basic with an organization's API key id as the user name and its secret as the password.",
        }
