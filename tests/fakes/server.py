"""The loopback WebSocket server under every fake provider: auth check, recording, scripting, drops."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from tests.fakes.script import Reply

Frame = dict[str, Any]


@dataclass
class FakeConnection:
    """One accepted provider socket, as the adapter opened it."""

    path: str
    query: dict[str, str]
    headers: Headers
    frames: list[Frame] = field(default_factory=list)
    ws: ServerConnection | None = None
    closed: asyncio.Event = field(default_factory=asyncio.Event)
    state: Any = None  # the provider's per-connection session state


class FakeProvider:
    """Base class: subclasses define ``path``, the greeting and ``on_frame``.

    Every text frame received is parsed and recorded (``received``) before the provider reacts, so a
    test can assert exactly what the adapter sent. Replies come from ``queue(...)`` in order, then
    ``default_reply``.
    """

    path = "/"
    auth_header = "authorization"

    def __init__(self, *, api_key: str = "test-key", replies: tuple[Reply, ...] = (),
                 default_reply: Reply | None = None, user_transcript: str = "hello there") -> None:
        self.api_key = api_key
        self.default_reply = default_reply or Reply()
        self.user_transcript = user_transcript
        self.connections: list[FakeConnection] = []
        self.rejected: list[Headers] = []
        self._replies: list[Reply] = list(replies)
        self._server: Server | None = None
        self._changed = asyncio.Condition()
        self._ids = itertools.count(1)

    # --- lifecycle -------------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        self._server = await serve(self._handle, "127.0.0.1", 0, process_request=self._check_request,
                                   max_size=16 * 1024 * 1024, compression=None)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(next(iter(self._server.sockets)).getsockname()[1])

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}{self.path}"

    # --- scripting -------------------------------------------------------------------------------

    def queue(self, *replies: Reply) -> None:
        self._replies.extend(replies)

    def next_reply(self) -> Reply:
        return self._replies.pop(0) if self._replies else self.default_reply

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_{next(self._ids):04d}"

    @property
    def last(self) -> FakeConnection:
        if not self.connections:
            raise AssertionError("no connection was made to the fake provider")
        return self.connections[-1]

    async def send(self, message: Frame, connection: FakeConnection | None = None) -> None:
        """Push an arbitrary server message (error frames, goAway, multi-key messages...)."""
        conn = connection or self.last
        assert conn.ws is not None
        await conn.ws.send(json.dumps(message))

    async def drop(self, code: int = 1011, reason: str = "fake provider dropped the connection",
                   connection: FakeConnection | None = None) -> None:
        conn = connection or self.last
        assert conn.ws is not None
        await conn.ws.close(code, reason)

    # --- observation -----------------------------------------------------------------------------

    @property
    def received(self) -> list[Frame]:
        return [f for c in self.connections for f in c.frames]

    def sent_of(self, kind: str) -> list[Frame]:
        """Frames the adapter sent whose ``type`` (OpenAI/DashScope) or top-level key (Gemini) is ``kind``."""
        return [f for f in self.received if f.get("type") == kind or (kind in f and "type" not in f)]

    def kinds(self) -> list[str]:
        return [str(f.get("type") or next(iter(f), "")) for f in self.received]

    async def wait_for(self, match: str | Callable[[Frame], bool], *, count: int = 1,
                       timeout: float = 5.0) -> list[Frame]:
        """Wait until ``count`` received frames match (a kind as in ``sent_of``, or a predicate)."""
        def matching() -> list[Frame]:
            if isinstance(match, str):
                return self.sent_of(match)
            return [f for f in self.received if match(f)]

        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(lambda: len(matching()) >= count)
        return matching()

    async def wait_connections(self, count: int, timeout: float = 5.0) -> None:
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(lambda: len(self.connections) >= count)

    async def wait_closed(self, connection: FakeConnection | None = None, timeout: float = 5.0) -> None:
        async with asyncio.timeout(timeout):
            await (connection or self.last).closed.wait()

    # --- server internals ------------------------------------------------------------------------

    def _authorized(self, headers: Headers) -> bool:
        return headers.get(self.auth_header) == f"Bearer {self.api_key}"

    def _check_request(self, connection: ServerConnection, request: Request) -> Response | None:
        if urlsplit(request.path).path != self.path:
            return connection.respond(HTTPStatus.NOT_FOUND, "not found\n")
        if not self._authorized(request.headers):
            self.rejected.append(request.headers)
            return connection.respond(HTTPStatus.UNAUTHORIZED, self.unauthorized_body())
        return None

    def unauthorized_body(self) -> str:
        return "Incorrect API key provided.\n"

    async def _handle(self, ws: ServerConnection) -> None:
        assert ws.request is not None
        parts = urlsplit(ws.request.path)
        conn = FakeConnection(path=parts.path, query={k: v[-1] for k, v in parse_qs(parts.query).items()},
                              headers=ws.request.headers, ws=ws)
        async with self._changed:
            self.connections.append(conn)
            self._changed.notify_all()
        tasks: set[asyncio.Task[None]] = set()
        conn.state = self.new_state(conn, tasks)
        try:
            await self.on_open(conn)
            async for raw in ws:
                try:
                    frame = json.loads(raw)
                except ValueError:
                    frame = {"__invalid_json__": raw if isinstance(raw, str) else raw.decode("latin-1")}
                if not isinstance(frame, dict):
                    frame = {"__invalid_json__": raw}
                async with self._changed:
                    conn.frames.append(frame)
                    self._changed.notify_all()
                await self.on_frame(conn, frame)
        except ConnectionClosed:
            pass
        finally:
            pending = list(tasks)
            for task in pending:
                task.cancel()
            for task in pending:
                with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                    await task
            conn.closed.set()

    # --- provider hooks --------------------------------------------------------------------------

    def new_state(self, conn: FakeConnection, tasks: set[asyncio.Task[None]]) -> Any:
        return None

    async def on_open(self, conn: FakeConnection) -> None:
        return None

    async def on_frame(self, conn: FakeConnection, frame: Frame) -> None:
        raise NotImplementedError
