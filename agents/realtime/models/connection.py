"""Websocket plumbing shared by the provider adapters.

One ``ProviderSocket`` per provider connection. While the adapter connects, a reader task that this
object owns reads frames, answers ``expect`` (session acknowledgements) and queues events. The
first ``events()`` iteration stops that reader (cancelling a websocket receive loses nothing) and
then reads the socket itself (``ProviderConnection.next_message``, which skips the library's per-frame
work for ordinary messages), so each provider frame is parsed and handled in the consumer's task:
no queue hop per audio frame, which measurably added latency under load. A slow consumer reads
slowly and TCP pushes back on the provider; nothing is dropped. A frame that fails to parse is
logged and skipped so one odd event can never end the session (AgentScope v1 defect 4). A drop ends
the stream with ``ModelDisconnected``; ``close()`` ends it without.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus
from websockets.protocol import State

from agents.realtime import json_frames
from agents.realtime.models.base import ModelConnectError, ModelDisconnected, ModelEvent, RealtimeModel
from agents.realtime.models.client_frames import masked_text_frame
from agents.realtime.models.provider_connection import ProviderConnection
from agents.realtime.tasks import stop_task

log = logging.getLogger(__name__)

Frame = dict[str, Any]
Parser = Callable[[Frame], Iterable[ModelEvent]]

OPEN_TIMEOUT_S = 10.0
ACK_TIMEOUT_S = 15.0
MAX_FRAME_BYTES = 16 * 1024 * 1024
WRITE_LIMIT = 32 * 1024  # bytes buffered for the provider before a send waits for them to drain


def with_query(url: str, **params: str) -> str:
    """``url`` with ``params`` added to its query string (existing parameters are kept)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in params] + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


class ProviderSocket:
    def __init__(self, parse: Parser, *, name: str) -> None:
        self._parse = parse
        self._name = name
        self._ws: ProviderConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._handshake: list[ModelEvent] = []  # what the reader parsed before events() took over
        self._waiters: list[tuple[Callable[[Frame], bool], asyncio.Future[Frame]]] = []
        self._refusal: Callable[[Frame], str | None] = lambda frame: None
        self._closing = False
        self._lost_reported = False
        self.close_code: int | None = None
        self.close_reason = ""

    async def open(self, url: str, headers: dict[str, str], *,
                   refusal: Callable[[Frame], str | None] | None = None) -> None:
        """Connect; ``refusal(frame)`` names frames (e.g. ``error``) that fail a pending ``expect``."""
        if refusal is not None:
            self._refusal = refusal
        try:
            ws = await connect(url, additional_headers=headers, open_timeout=OPEN_TIMEOUT_S,
                               max_size=MAX_FRAME_BYTES, compression=None, write_limit=WRITE_LIMIT,
                               create_connection=ProviderConnection)
        except InvalidStatus as exc:
            raise ModelConnectError(f"{self._name} refused the connection: HTTP "
                                    f"{exc.response.status_code}") from exc
        except (InvalidHandshake, OSError, TimeoutError) as exc:
            raise ModelConnectError(f"{self._name} could not be reached: {exc.__class__.__name__}: {exc}") from exc
        assert isinstance(ws, ProviderConnection)  # what create_connection made; narrows the type
        self._ws = ws
        self._reader = asyncio.create_task(self._read(), name=f"{self._name}-reader")

    def expect(self, match: Callable[[Frame], bool], *, what: str,
               timeout: float = ACK_TIMEOUT_S) -> Awaitable[Frame]:
        """Register, right now, a wait for the provider frame that ``match``es (a session
        acknowledgement); await the result after sending the frame that provokes it."""
        future: asyncio.Future[Frame] = asyncio.get_running_loop().create_future()
        entry = (match, future)
        self._waiters.append(entry)
        if self._reader is None or self._reader.done():
            self._fail_waiters(self._closed_message())
        return self._wait(entry, what, timeout)

    async def _wait(self, entry: tuple[Callable[[Frame], bool], asyncio.Future[Frame]], what: str,
                    limit_s: float) -> Frame:
        try:
            async with asyncio.timeout(limit_s):
                return await entry[1]
        except TimeoutError as exc:
            raise ModelConnectError(f"{self._name} did not send {what} within {limit_s:.0f} s") from exc
        finally:
            with contextlib.suppress(ValueError):
                self._waiters.remove(entry)

    async def send(self, frame: Frame | str) -> None:
        """Send one JSON frame (a dict, or already encoded). After a drop this is a logged no-op:
        ``ModelDisconnected`` is already on its way to the consumer, and a raising send would kill the
        caller's forward loop."""
        if self._ws is None or self._closing:
            return
        text = frame if isinstance(frame, str) else json.dumps(frame)
        if self.writable_now():
            self.write_now(text)
            return
        try:
            await self._ws.send(text)
        except ConnectionClosed:
            kind = _kind(frame) if isinstance(frame, dict) else frame[:48]
            log.info("%s: frame %r not sent, the connection is closed", self._name, kind)

    def writable_now(self) -> bool:
        """Whether ``write_now`` may be called: nothing a send does would wait."""
        ws = self._ws
        if ws is None or self._closing:
            return True  # a send is a no-op then
        # Written directly while the connection is open and its buffer is under the limit (see
        # client_frames); otherwise the library sends it, which waits for the buffer to drain, so a
        # provider that stops reading still pushes back and nothing piles up in memory.
        transport = ws.transport
        return (ws.state is State.OPEN and not transport.is_closing()
                and transport.get_write_buffer_size() < WRITE_LIMIT)

    def write_now(self, text: str) -> None:
        """``send(text)`` without the wait, once ``writable_now()`` said so."""
        if self._ws is not None and not self._closing:
            self._ws.transport.write(masked_text_frame(text.encode()))

    async def events(self) -> AsyncIterator[ModelEvent]:
        if self._ws is None:
            return
        await stop_task(self._reader)
        self._reader = None
        while self._handshake:
            yield self._handshake.pop(0)
        if self._closing or self._lost_reported:
            return
        while (raw := await self._ws.next_message()) is not None:
            for event in self._dispatch(raw):
                yield event
        if not self._closing:
            yield self._lost()

    async def close(self) -> None:
        if self._closing:
            return
        self._closing = True
        await stop_task(self._reader)
        if self._ws is not None:
            await self._ws.close()
        self._fail_waiters(f"{self._name} connection closed")
        self._handshake.clear()

    # --- internals -------------------------------------------------------------------------------

    async def _read(self) -> None:
        """Until ``events()`` takes over: serve ``expect`` and keep what the handshake produced."""
        assert self._ws is not None
        while (raw := await self._ws.next_message()) is not None:
            self._handshake.extend(self._dispatch(raw))
        self._handshake.append(self._lost())

    def _lost(self) -> ModelDisconnected:
        assert self._ws is not None
        self._lost_reported = True  # the stream ends here, for every later iterator too
        self.close_code = self._ws.close_code if self._ws.close_code is not None else 1006
        self.close_reason = self._ws.close_reason or ""
        self._fail_waiters(self._closed_message())
        return ModelDisconnected(reason=self._closed_message(), code=self.close_code)

    def _dispatch(self, raw: str | bytes) -> list[ModelEvent]:
        try:
            frame = json_frames.loads(raw)
            if not isinstance(frame, dict):
                raise ValueError("not a JSON object")
        except ValueError:
            log.warning("%s: skipped a frame that is not a JSON object", self._name)
            return []
        for match, future in list(self._waiters):
            if not future.done() and match(frame):
                future.set_result(frame)
        refused = self._refusal(frame)
        if refused:
            self._fail_waiters(refused)
        try:
            return list(self._parse(frame))
        except Exception:
            log.exception("%s: skipped a frame that could not be parsed: %r", self._name, _kind(frame))
            return []

    def _fail_waiters(self, message: str) -> None:
        for _, future in self._waiters:
            if not future.done():
                future.set_exception(ModelConnectError(message))

    def _closed_message(self) -> str:
        reason = f": {self.close_reason}" if self.close_reason else ""
        return f"{self._name} closed the connection (code {self.close_code}){reason}"


def _kind(frame: Frame) -> str:
    return str(frame.get("type") or next(iter(frame), "?"))


class WebSocketModel(RealtimeModel):
    """What the three websocket adapters share: the socket, the event stream and close()."""

    provider_name = "provider"
    _socket: ProviderSocket | None = None

    def events(self) -> AsyncIterator[ModelEvent]:
        if self._socket is None:
            raise RuntimeError("connect() first")
        return self._socket.events()

    async def _open(self, url: str, headers: dict[str, str], parse: Parser,
                    refusal: Callable[[Frame], str | None] | None = None) -> ProviderSocket:
        if self._socket is not None:
            await self._socket.close()  # a reconnect replaces the old connection
        self._socket = ProviderSocket(parse, name=self.provider_name)
        await self._socket.open(url, headers, refusal=refusal)
        return self._socket

    async def _send(self, frame: Frame | str) -> None:
        if self._socket is None:
            raise RuntimeError("connect() first")
        await self._socket.send(frame)

    async def _fail_connect(self, exc: ModelConnectError) -> None:
        if self._socket is not None:
            await self._socket.close()
        raise exc

    def _auth_key(self) -> str:
        if not self.spec.api_key:
            raise ModelConnectError(f"{self.provider_name}: no API key is configured for this agent")
        return self.spec.api_key

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close()
