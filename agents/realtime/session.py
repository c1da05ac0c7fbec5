"""One client conversation with one active agent: the single-agent path of the realtime consumer.

The caller (a Channels consumer) owns the socket: it passes every frame to ``feed`` and sends the
events ``emit`` receives. ``feed`` returns a ``FeedOutcome``: events the session does not route
itself (``client_session_create``, the rooms layer's own types) come back for the caller, and
``close_code`` says when the socket must close:

* ``CLOSE_TOO_BIG`` (1009): a frame over ``MAX_FRAME_BYTES`` (nothing that big is ever valid).
* ``CLOSE_FLOOD`` (4008): more than ``FRAMES_PER_SECOND`` frames (bursts up to ``FRAME_BURST``) in
  ``FLOOD_WINDOWS`` consecutive one-second windows. A shorter excess only drops frames and reports
  ``rate_limited`` once per window.

Everything else that is wrong with a frame is one error event (``agent_error`` while an agent is
active, else ``server_error``) and the socket stays open.

Handoff: the ``transfer_to_agent`` tool resolves the target with ``resolve_agent(slug)``; once the
tool result is reported, the old agent ends and the new one starts with the conversation so far;
``server_session_updated`` tells the client. ``end_session`` ends the session after its result.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Any

from agents.realtime import server_events as ev
from agents.realtime.bridge import AgentBridge, Emit, ModelFactory, OnItem
from agents.realtime.conversation import ConversationItem, history_of
from agents.realtime.events import (
    CLIENT_EVENTS,
    ClientEvent,
    ClientSessionCreate,
    ClientSessionEnd,
    ProtocolError,
    parse_client_event,
)
from agents.realtime.spec import AgentSpec
from agents.tools.registry import ToolError

MAX_FRAME_BYTES = 4 * 1024 * 1024
FRAMES_PER_SECOND = 100
FRAME_BURST = 200
FLOOD_WINDOWS = 3
CLOSE_TOO_BIG = 1009
CLOSE_FLOOD = 4008
_ROUTED = frozenset(CLIENT_EVENTS.values())

ResolveAgent = Callable[[str], Awaitable[AgentSpec | None]]


@dataclass(frozen=True)
class FeedOutcome:
    event: ClientEvent | None = None
    handled: bool = True  # False: the caller must handle ``event`` (session create, room events)
    close_code: int | None = None


class _FloodGuard:
    def __init__(self, clock: Callable[[], float]):
        self._clock = clock
        self._tokens = float(FRAME_BURST)
        self._at = clock()
        self._window = int(self._at)
        self._window_dropped = False
        self._flooded_windows = 0

    def admit(self) -> tuple[bool, bool, bool]:
        """-> (accepted, first drop of this window, sustained flood)."""
        now = self._clock()
        self._tokens = min(FRAME_BURST, self._tokens + (now - self._at) * FRAMES_PER_SECOND)
        self._at = now
        window = int(now)
        if window != self._window:
            consecutive = self._window_dropped and window == self._window + 1
            self._flooded_windows = self._flooded_windows if consecutive else 0
            self._window, self._window_dropped = window, False
        if self._tokens >= 1:
            self._tokens -= 1
            return True, False, False
        first = not self._window_dropped
        if first:
            self._window_dropped = True
            self._flooded_windows += 1
        return False, first, self._flooded_windows >= FLOOD_WINDOWS


class _SessionTools:
    """What ``end_session`` and ``transfer_to_agent`` do inside a session, for one bridge."""

    def __init__(self, session: RealtimeSession, bridge: AgentBridge):
        self.session = session
        self.bridge = bridge

    async def end_session(self, reason: str) -> None:
        self.bridge.after_tools(lambda: self.session._later(self.session.close(reason)))

    async def transfer_to_agent(self, agent: str, reason: str) -> None:
        if self.session.resolve_agent is None:
            raise ToolError("handoff is not available in this conversation")
        spec = await self.session.resolve_agent(agent)
        if spec is None:
            raise ToolError(f"no agent named {agent!r} is available")
        if spec.agent_id == self.bridge.spec.agent_id:
            raise ToolError("that is the agent already speaking")
        self.bridge.after_tools(lambda: self.session._later(self.session._handoff(self.bridge, spec)))


class RealtimeSession:
    def __init__(self, emit: Emit, *, session_id: str, default_urls: dict[str, str],
                 resolve_agent: ResolveAgent | None = None, on_item: OnItem | None = None,
                 extra_events: Mapping[str, type[ClientEvent]] | None = None,
                 model_factory: ModelFactory | None = None, clock: Callable[[], float] = time.monotonic,
                 bridge_options: dict[str, Any] | None = None):
        self.session_id = session_id
        self.resolve_agent = resolve_agent
        self.conversation: list[ConversationItem] = []
        self.bridge: AgentBridge | None = None
        self.ended = False
        self._emit = emit
        self._default_urls = default_urls
        self._on_item = on_item
        self._extra = extra_events
        self._factory = model_factory
        self._bridge_options = bridge_options or {}
        self._flood = _FloodGuard(clock)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._lock = asyncio.Lock()

    async def start(self, spec: AgentSpec) -> bool:
        """Start the first agent; ``server_session_created`` once it is ready."""
        if not await self._start_bridge(spec):
            await self.close("agent failed to start")
            return False
        await self._emit(ev.server_session_created(self.session_id))
        return True

    async def feed(self, raw: str | bytes) -> FeedOutcome:
        if self.ended:
            return FeedOutcome(handled=True)
        if len(raw) > MAX_FRAME_BYTES:
            return FeedOutcome(close_code=CLOSE_TOO_BIG)
        accepted, first_drop, flood = self._flood.admit()
        if flood:
            return FeedOutcome(close_code=CLOSE_FLOOD)
        if not accepted:
            if first_drop:
                await self._report("rate_limited", f"more than {FRAMES_PER_SECOND} frames per second; "
                                                   "frames are being dropped")
            return FeedOutcome(handled=True)
        try:
            event = parse_client_event(raw, self._extra)
        except ProtocolError as exc:
            await self._report(exc.code, exc.message)
            return FeedOutcome(handled=True)
        if isinstance(event, ClientSessionEnd):
            await self.close("client ended the session")
            return FeedOutcome(event=event)
        if isinstance(event, ClientSessionCreate) or type(event) not in _ROUTED:
            return FeedOutcome(event=event, handled=False)
        if self.bridge is None:
            await self._report("no_session", "send client_session_create first")
            return FeedOutcome(event=event)
        await self.bridge.handle(event)
        return FeedOutcome(event=event)

    async def close(self, reason: str = "closed") -> None:
        """Idempotent: end the agent, every session task, then ``server_session_ended``."""
        async with self._lock:
            if self.ended:
                return
            self.ended = True
        current = asyncio.current_task()
        tasks = [t for t in self._tasks if t is not current]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self.bridge is not None:
            await self.bridge.stop(reason)
        await self._emit(ev.server_session_ended(self.session_id))

    async def _start_bridge(self, spec: AgentSpec, history: tuple[Any, ...] = ()) -> bool:
        bridge = AgentBridge(spec, self._emit, default_urls=self._default_urls, on_item=self._on_item,
                             model_factory=self._factory, conversation=self.conversation,
                             on_end=self._bridge_ended, **self._bridge_options)
        bridge.tool_context = _SessionTools(self, bridge)
        self.bridge = bridge
        return await bridge.start(history)

    async def _handoff(self, old: AgentBridge, spec: AgentSpec) -> None:
        if self.ended or self.bridge is not old:
            return
        await old.stop("handoff")
        if not await self._start_bridge(spec, history_of(self.conversation)):
            await self.close("handoff target failed to start")
            return
        await self._emit(ev.server_session_updated(self.session_id))

    async def _bridge_ended(self, bridge: AgentBridge, reason: str) -> None:
        if bridge is self.bridge:  # the agent ended on its own (provider lost, fatal error)
            self._later(self.close(reason))

    def _later(self, coro: Coroutine[Any, Any, None]) -> Awaitable[None]:
        """Run ``coro`` in a session-owned task (it may stop the bridge whose task asked for it)."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return asyncio.sleep(0)

    async def _report(self, code: str, message: str) -> None:
        if self.bridge is not None and not self.bridge.ended:
            await self._emit(ev.agent_error(self.bridge.ids, code, message, "invalid_request_error"))
        else:
            await self._emit(ev.server_error(self.session_id, code, message))
