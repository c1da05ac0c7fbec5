"""A client shaped like Django's test ``Client`` that calls the real ASGI application.

Django's test client enters at the URL resolver, so it would skip what ``config.asgi`` puts in front
of Django (the token endpoint's native path for API-key callers). Code that reads the database from
the event loop goes through ``database_sync_to_async``, so tests using this client need
``transactional_db``.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from asgiref.sync import async_to_sync


class AsgiResponse:
    def __init__(self, response: httpx.Response) -> None:
        self.status_code = response.status_code
        self.headers = response.headers
        self.content = response.content

    def json(self) -> Any:
        return json.loads(self.content)

    def __getitem__(self, header: str) -> str:
        return self.headers[header]


def _headers(meta: dict[str, str]) -> dict[str, str]:
    """Django-style ``HTTP_X_Y`` keys as ``X-Y`` headers."""
    return {k.removeprefix("HTTP_").replace("_", "-"): v for k, v in meta.items() if k.startswith("HTTP_")}


class AsgiClient:
    def __init__(self, **defaults: str) -> None:
        self.defaults = defaults

    def post(self, path: str, data: str | bytes = b"", content_type: str = "application/json",
             **extra: str) -> AsgiResponse:
        return self.request("POST", path, data, {"HTTP_CONTENT_TYPE": content_type, **extra})

    def get(self, path: str, **extra: str) -> AsgiResponse:
        return self.request("GET", path, b"", extra)

    def request(self, method: str, path: str, data: str | bytes, extra: dict[str, str]) -> AsgiResponse:
        meta = {**self.defaults, **extra}
        body = data.encode() if isinstance(data, str) else data
        return AsgiResponse(async_to_sync(self._send)(method, path, body, meta))

    async def _send(self, method: str, path: str, body: bytes, meta: dict[str, str]) -> httpx.Response:
        from config.asgi import application

        transport = httpx.ASGITransport(app=application, client=(meta.get("REMOTE_ADDR", "127.0.0.1"), 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return await client.request(method, path, content=body, headers=_headers(meta))
