"""One agent in a session: provider events -> client events, client input -> provider.

``AgentBridge`` owns the provider connection and every task it starts (the event pump, tool batches,
its own shutdown); ``stop()`` cancels and awaits them all and closes the provider socket.

What a client receives, and the guarantees behind it:

* ``agent_ready`` once connected (again after a reconnect), then the greeting if one is configured.
* Per response exactly one ``agent_response_created``, ``agent_response_audio_done``,
  ``agent_response_audio_transcript_done`` and ``agent_response_done`` (status in ``metadata``),
  synthesised where a provider has none. Output audio is always 24 kHz, the rate v1's pages play.
* Barge-in (provider speech start while a response is open, ``client_response_cancel``,
  ``interrupt()``, typed text, a provider ``Interrupted``): ``agent_response_cancelled`` (the flush
  signal, see ``server_events``), the provider is told to cancel and to truncate its item to what was
  played, and no audio of that response follows.
* Provider drop: ``agent_error`` ``provider_disconnected``, then reconnects with exponential backoff,
  replaying instructions, tools and the recent conversation (``connect(history)``); after the last
  failed attempt ``agent_error`` ``reconnect_failed`` and ``agent_ended``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from agents.realtime import server_events as ev
from agents.realtime.audio import Resamplers, pcm_ms
from agents.realtime.conversation import ConversationItem, Metrics, history_of
from agents.realtime.events import (
    ClientAudioAppend,
    ClientAudioCommit,
    ClientEvent,
    ClientImageAppend,
    ClientResponseCancel,
    ClientResponseCreate,
    ClientTextAppend,
    ClientToolResult,
)
from agents.realtime.models import base as m
from agents.realtime.models import create_model
from agents.realtime.spec import AgentSpec
from agents.realtime.tools import ToolOutcome, error_outcome, find_tool, parse_arguments, tool_execute
from agents.tools.registry import ToolContext, ToolError

logger = logging.getLogger(__name__)

CLIENT_AUDIO_RATE = 24_000  # what AgentScope's pages play, whatever format.rate says
CONNECT_TIMEOUT_S = 15.0

Emit = Callable[[dict[str, Any]], Awaitable[None]]
OnItem = Callable[[ConversationItem], Awaitable[None]]
ModelFactory = Callable[[AgentSpec], m.RealtimeModel]
AfterTools = Callable[[], Awaitable[None]]


@dataclass
class _Response:
    response_id: str
    item_id: str = ""
    parts: list[str] = field(default_factory=list)
    audio_ms: float = 0.0
    first_audio_at: float | None = None
    audio_done: bool = False
    transcript_done: bool = False
    recorded: bool = False
    tool_calls: list[m.ToolCall] = field(default_factory=list)

    def played_ms(self, now: float) -> int:
        if self.first_audio_at is None:
            return 0
        return int(min(self.audio_ms, (now - self.first_audio_at) * 1000))


class _StandaloneTools:
    """Tool context of a bridge without a session: ``end_session`` ends the agent, no handoff."""

    def __init__(self, bridge: AgentBridge):
        self.bridge = bridge

    async def end_session(self, reason: str) -> None:
        self.bridge.after_tools(lambda: self.bridge._shutdown(reason, notify=True))

    async def transfer_to_agent(self, agent: str, reason: str) -> None:
        raise ToolError("handoff is not available in this conversation")


class AgentBridge:
    def __init__(self, spec: AgentSpec, emit: Emit, *, default_urls: dict[str, str],
                 on_item: OnItem | None = None, tool_context: ToolContext | None = None,
                 model_factory: ModelFactory | None = None, conversation: list[ConversationItem] | None = None,
                 on_end: Callable[[AgentBridge, str], Awaitable[None]] | None = None,
                 reconnect_attempts: int = 3, reconnect_backoff_s: float = 0.5):
        self.spec = spec
        self.ids = ev.AgentIds(spec.agent_id, spec.name)
        self.state = "initializing"
        self.conversation: list[ConversationItem] = conversation if conversation is not None else []
        self.metrics = Metrics()
        self.model: m.RealtimeModel | None = None
        self.tool_context: ToolContext = tool_context or _StandaloneTools(self)
        self._emit_to = emit
        self._on_item = on_item
        self._on_end = on_end
        self._factory = model_factory or (lambda s: create_model(s, default_urls))
        self._reconnect_attempts = reconnect_attempts
        self._backoff_s = reconnect_backoff_s
        self._pump: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._open: dict[str, _Response] = {}
        self._closed_ids: deque[str] = deque(maxlen=128)
        self._user_parts: dict[str, list[str]] = {}
        self._client_waits: dict[str, asyncio.Future[str]] = {}
        self._after_tools: AfterTools | None = None
        self._in = Resamplers(16_000)
        self._out = Resamplers(CLIENT_AUDIO_RATE)
        self._turn_end_at: float | None = None
        self._request_at: float | None = None
        self._tool_steps = 0
        self._step_limit_told = False
        self._reconnecting = False
        self._ended = False

    # --- lifecycle -------------------------------------------------------------------------------

    async def start(self, history: tuple[m.HistoryItem, ...] = ()) -> bool:
        """Connect and greet. Returns False (after ``agent_error`` + ``agent_ended``) on failure."""
        try:
            self.model = await self._connect(history)
        except Exception as exc:
            await self._emit(ev.agent_error(self.ids, "provider_connect_failed", _describe(exc), "provider_error"))
            await self._shutdown("connect failed", notify=False)
            return False
        await self._emit(ev.agent_ready(self.ids))
        await self._set_state("listening")
        self._pump = asyncio.get_running_loop().create_task(self._run_pump(), name=f"pump:{self.spec.agent_id}")
        if self.spec.greeting:
            await self._greet(self.spec.greeting)
        return True

    async def stop(self, reason: str = "stopped") -> None:
        """Idempotent: cancel and await every task, close the provider, emit ``agent_ended``."""
        await self._shutdown(reason, notify=False)

    @property
    def ended(self) -> bool:
        return self._ended

    async def _connect(self, history: tuple[m.HistoryItem, ...]) -> m.RealtimeModel:
        model = self._factory(self.spec)
        try:
            await asyncio.wait_for(model.connect(history), CONNECT_TIMEOUT_S)
        except BaseException:
            with suppress(Exception):
                await model.close()
            raise
        self._in = Resamplers(model.capabilities.input_rate)
        return model

    async def _shutdown(self, reason: str, *, notify: bool) -> None:
        if self._ended:
            return
        self._ended = True
        current = asyncio.current_task()
        tasks = [t for t in (self._pump, *self._tasks) if t is not None and t is not current]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for waiter in self._client_waits.values():
            waiter.cancel()
        for response in list(self._open.values()):
            await self._cancel(response, reason="agent_ended", status="cancelled", tell_provider=False)
        if self.model is not None:
            with suppress(Exception):
                await self.model.close()
        await self._emit(ev.agent_metrics(self.ids, self.metrics.snapshot()))
        await self._set_state("ended")
        await self._emit(ev.agent_ended(self.ids))
        if notify and self._on_end is not None:
            await self._on_end(self, reason)

    def _spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro, name=f"{name}:{self.spec.agent_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # --- input from the client or the room ---------------------------------------------------------

    async def handle(self, event: ClientEvent) -> None:
        if self._ended:
            return
        if self.model is None or self._reconnecting:
            if isinstance(event, ClientAudioAppend):
                self.metrics.count("audio_in_dropped")
            else:
                await self._error("agent_not_ready", "the agent is not connected to its model yet")
            return
        if isinstance(event, ClientAudioAppend):
            await self.push_audio(event.audio, event.rate)
        elif isinstance(event, ClientTextAppend):
            await self.push_text(event.text)
        elif isinstance(event, ClientImageAppend):
            if not self.model.capabilities.image_input:
                await self._error("image_input_unsupported", "this model does not take images")
            else:
                await self._call(self.model.send_image(event.image, event.mime_type))
        elif isinstance(event, ClientAudioCommit):
            self._user_turn_ended()
            await self._call(self.model.commit_audio())
        elif isinstance(event, ClientResponseCreate):
            self._request_at = time.monotonic()
            await self._call(self.model.create_response())
        elif isinstance(event, ClientResponseCancel):
            await self.interrupt(reason="client_cancel")
        elif isinstance(event, ClientToolResult):
            waiter = self._client_waits.get(event.id)
            if waiter is None or waiter.done():
                await self._error("unknown_tool_call", f"no tool call {event.id!r} is waiting for a result")
            else:
                waiter.set_result(event.output_text())

    async def push_audio(self, pcm: bytes, rate: int) -> None:
        converted = self._take_audio(pcm, rate)
        if converted and self.model is not None:
            await self._call(self.model.send_audio(converted))

    def audio_ready(self) -> bool:
        """Whether ``push_audio_now`` may be called: a chunk pushed now is sent, or dropped, at once."""
        model = self.model
        return self._ended or model is None or self._reconnecting or model.audio_writable()

    def push_audio_now(self, pcm: bytes, rate: int) -> None:
        """``push_audio`` without a wait, once ``audio_ready()`` said so."""
        converted = self._take_audio(pcm, rate)
        if converted and self.model is not None:
            self.model.send_audio_now(converted)

    def _take_audio(self, pcm: bytes, rate: int) -> bytes:
        """The chunk at the model's input rate, or nothing while there is no model to send it to."""
        if self._ended or self.model is None or self._reconnecting:
            self.metrics.count("audio_in_dropped")
            return b""
        self.metrics.count("audio_in_chunks")
        return self._in.process(pcm, rate)

    async def push_text(self, text: str, *, item_id: str = "") -> None:
        """Send typed text. ``item_id`` names the recorded item, where the caller knows it better (a
        room sending one person's message to several agents)."""
        if self._ended or self.model is None or self._reconnecting:
            await self._error("agent_not_ready", "the agent is not connected to its model")
            return
        if not self.model.capabilities.text_input:
            await self._error("text_input_unsupported", f"the {self.spec.provider} model does not take typed text")
            return
        await self.interrupt(reason="text_input")  # typing over the agent interrupts it, as speech does
        self._user_turn_ended()
        if await self._call(self.model.send_text(text)):
            await self._record(ConversationItem("user", text, item_id=item_id or f"text_{len(self.conversation) + 1}"))
            await self._set_state("thinking")

    async def interrupt(self, reason: str = "barge_in") -> None:
        """Cancel whatever the agent is saying, truncate it to what was heard, tell clients to flush."""
        for response in list(self._open.values()):
            await self._cancel(response, reason=reason, status="cancelled", tell_provider=True)

    def after_tools(self, action: AfterTools) -> None:
        """Run ``action`` once the current tool batch is reported, instead of returning its results to
        the model (used by ``end_session`` and handoffs, which replace this agent)."""
        self._after_tools = action

    async def _greet(self, text: str) -> None:
        assert self.model is not None
        try:
            await self.model.speak(text)
        except m.ModelUnsupported:
            await self._call(self.model.create_response())
        except Exception as exc:
            await self._error("provider_unavailable", _describe(exc))

    def _user_turn_ended(self) -> None:
        self._turn_end_at = self._request_at = time.monotonic()
        self._tool_steps = 0
        self._step_limit_told = False

    async def _call(self, operation: Awaitable[None]) -> bool:
        try:
            await operation
        except m.ModelUnsupported as exc:
            await self._error(exc.code, exc.message)
            return False
        except Exception as exc:  # the socket is going away; the pump reports and reconnects
            logger.info("model call failed for %s: %s", self.spec.agent_id, exc)
            await self._error("provider_unavailable", _describe(exc), "provider_error")
            return False
        return True

    # --- provider events ---------------------------------------------------------------------------

    async def _run_pump(self) -> None:
        while not self._ended:
            model = self.model
            assert model is not None
            lost: m.ModelDisconnected | None = None
            try:
                async for event in model.events():
                    if isinstance(event, m.ModelDisconnected):
                        lost = event
                        break
                    try:
                        await self._on_event(event)
                    except Exception:
                        logger.exception("bridge failed on %r", type(event).__name__)
                        await self._error("internal_error", "the engine failed on a provider event")
            except Exception as exc:  # an adapter that raises instead of yielding ModelDisconnected
                lost = m.ModelDisconnected(reason=_describe(exc))
            if lost is None or self._ended:
                return
            if not await self._reconnect(lost):
                return

    async def _reconnect(self, lost: m.ModelDisconnected) -> bool:
        self._reconnecting = True
        await self._emit(ev.agent_error(self.ids, "provider_disconnected",
                                        f"the provider connection was lost: {lost.reason}", "provider_error"))
        for response in list(self._open.values()):
            await self._close(response, status="failed")  # what arrived can still be played: no flush
        stale = [t for t in self._tasks if t is not asyncio.current_task()]
        for task in stale:
            task.cancel()  # tool calls belong to the lost connection; the new one never asked for them
        await asyncio.gather(*stale, return_exceptions=True)
        if self.model is not None:
            with suppress(Exception):
                await self.model.close()
        for attempt in range(self._reconnect_attempts):
            await asyncio.sleep(self._backoff_s * 2**attempt)
            try:
                self.model = await self._connect(history_of(self.conversation))
            except Exception as exc:
                logger.info("reconnect %d of %s failed: %s", attempt + 1, self.spec.agent_id, exc)
                continue
            self._reconnecting = False
            self._closed_ids.clear()  # a new connection numbers its responses afresh
            self.metrics.count("reconnects")
            await self._emit(ev.agent_ready(self.ids))
            await self._set_state("listening")
            return True
        await self._emit(ev.agent_error(self.ids, "reconnect_failed",
                                        f"gave up after {self._reconnect_attempts} reconnect attempts",
                                        "provider_error"))
        await self._shutdown("provider lost", notify=True)
        return False

    async def _on_event(self, event: m.ModelEvent) -> None:
        handler = _HANDLERS.get(type(event))
        if handler is not None:
            await handler(self, event)

    def _response(self, response_id: str) -> _Response | None:
        if response_id in self._closed_ids:
            return None  # cancelled or finished: its late events are dropped
        return self._open.get(response_id)

    async def _ensure_response(self, response_id: str) -> _Response | None:
        if response_id in self._closed_ids:
            return None
        response = self._open.get(response_id)
        if response is None:
            response = self._open[response_id] = _Response(response_id)
            self.metrics.count("responses")
            if self._request_at is not None:
                self.metrics.response_ms.append((time.monotonic() - self._request_at) * 1000)
                self._request_at = None
            await self._emit(ev.agent_response_created(self.ids, response_id))
            if self.state != "speaking":
                await self._set_state("thinking")
        return response

    async def _on_response_created(self, event: m.ResponseCreated) -> None:
        await self._ensure_response(event.response_id)

    async def _on_audio(self, event: m.AudioDelta) -> None:
        response = await self._ensure_response(event.response_id)
        if response is None:
            return
        now = time.monotonic()
        if response.first_audio_at is None:
            response.first_audio_at = now
            if self._turn_end_at is not None:
                self.metrics.first_audio_ms.append((now - self._turn_end_at) * 1000)
                self._turn_end_at = None
        response.item_id = response.item_id or event.item_id
        pcm = self._out.process(event.pcm, event.rate)
        response.audio_ms += pcm_ms(len(pcm), CLIENT_AUDIO_RATE)
        self.metrics.count("audio_out_chunks")
        await self._set_state("speaking")
        await self._emit(ev.agent_response_audio_delta(self.ids, event.response_id, event.item_id, pcm,
                                                       CLIENT_AUDIO_RATE))

    async def _on_audio_done(self, event: m.AudioDone) -> None:
        response = await self._ensure_response(event.response_id)
        if response is not None and not response.audio_done:
            response.audio_done = True
            await self._emit(ev.agent_response_audio_done(self.ids, event.response_id, event.item_id))

    async def _on_transcript(self, event: m.TranscriptDelta) -> None:
        response = await self._ensure_response(event.response_id)
        if response is not None:
            response.item_id = response.item_id or event.item_id
            response.parts.append(event.delta)
            await self._emit(ev.agent_response_audio_transcript_delta(self.ids, event.response_id, event.item_id,
                                                                      event.delta))

    async def _on_transcript_done(self, event: m.TranscriptDone) -> None:
        response = await self._ensure_response(event.response_id)
        if response is None or response.transcript_done:
            return
        response.transcript_done = True
        text = event.transcript or "".join(response.parts)
        await self._emit(ev.agent_response_audio_transcript_done(self.ids, event.response_id, event.item_id, text))
        await self._record_answer(response, text, interrupted=False)

    async def _on_tool_delta(self, event: m.ToolCallDelta) -> None:
        if await self._ensure_response(event.response_id) is None:
            return
        block = ev.tool_use_block(event.call_id, event.name, event.arguments_so_far,
                                  parse_arguments(event.arguments_so_far))
        await self._emit(ev.agent_response_tool_use_delta(self.ids, event.response_id, event.item_id, block))

    async def _on_tool_call(self, event: m.ToolCall) -> None:
        response = await self._ensure_response(event.response_id)
        if response is None:
            return
        response.tool_calls.append(event)
        tool = find_tool(self.spec, event.name)
        if tool is not None and tool.kind == "client":
            # Listen now: a quick client may answer before the response is over and the tool runs.
            self._client_waits.setdefault(event.call_id, asyncio.get_running_loop().create_future())
        self.metrics.count("tool_calls")
        block = ev.tool_use_block(event.call_id, event.name, event.arguments, parse_arguments(event.arguments))
        await self._emit(ev.agent_response_tool_use_done(self.ids, event.response_id, event.item_id, block))

    async def _on_response_done(self, event: m.ResponseDone) -> None:
        response = self._response(event.response_id)
        if response is None:
            return
        if event.status in ("cancelled", "interrupted"):
            # The provider stopped on its own (its VAD heard the user): the client must flush too.
            reason = "barge_in" if event.metadata.get("reason") == "turn_detected" else "provider_cancelled"
            await self._cancel(response, reason=reason, status=event.status, tell_provider=False,
                               metadata=event.metadata)
        else:
            await self._close(response, status=event.status, input_tokens=event.input_tokens,
                              output_tokens=event.output_tokens, metadata=event.metadata)
        if response.tool_calls:
            self._spawn(self._run_tools(response.tool_calls), "tools")
        elif not self._open and not self._tasks:
            await self._set_state("listening")

    async def _on_input_started(self, event: m.InputStarted) -> None:
        await self._emit(ev.agent_input_started(self.ids, event.item_id, event.audio_start_ms))
        self.metrics.count("user_turns")
        # A provider whose own VAD reported the speech has already cancelled its response
        # (interrupt_response); asking again only earns an error frame. Truncation is still ours.
        server_cancels = self.model is not None and self.model.capabilities.server_vad
        for response in list(self._open.values()):
            await self._cancel(response, reason="barge_in", status="cancelled", tell_provider=not server_cancels)
        await self._set_state("listening")

    async def _on_input_done(self, event: m.InputDone) -> None:
        await self._emit(ev.agent_input_done(self.ids, event.item_id, event.audio_end_ms))
        self._user_turn_ended()
        await self._set_state("thinking")

    async def _on_input_delta(self, event: m.InputTranscriptDelta) -> None:
        self._user_parts.setdefault(event.item_id, []).append(event.delta)
        await self._emit(ev.agent_input_transcription_delta(self.ids, event.item_id, event.delta))

    async def _on_input_done_text(self, event: m.InputTranscriptDone) -> None:
        text = event.transcript or "".join(self._user_parts.pop(event.item_id, []))
        self._user_parts.pop(event.item_id, None)
        await self._emit(ev.agent_input_transcription_done(self.ids, event.item_id, text, event.input_tokens,
                                                           event.output_tokens))
        await self._record(ConversationItem("user", text, item_id=event.item_id))

    async def _on_interrupted(self, event: m.Interrupted) -> None:
        response = self._response(event.response_id)
        targets = [response] if response is not None else list(self._open.values())
        for target in targets:
            await self._cancel(target, reason="provider_interrupted", status="interrupted", tell_provider=False)

    async def _on_error(self, event: m.ModelError) -> None:
        self.metrics.count("provider_errors")
        await self._emit(ev.agent_error(self.ids, event.code, event.message, event.error_type))
        if event.fatal:
            await self._shutdown(f"provider error: {event.code}", notify=True)

    async def _on_go_away(self, event: m.GoAway) -> None:
        self.metrics.count("go_away")  # the adapter resumes or drops; a drop is handled by the pump

    # --- responses -------------------------------------------------------------------------------

    async def _close(self, response: _Response, *, status: str, input_tokens: int = 0, output_tokens: int = 0,
                     metadata: dict[str, str] | None = None) -> None:
        """Finish a response with the events v1's pages wait for, whichever the provider skipped."""
        self._open.pop(response.response_id, None)
        self._closed_ids.append(response.response_id)
        item_id = response.item_id or f"{response.response_id}_item"
        if not response.audio_done:
            response.audio_done = True
            await self._emit(ev.agent_response_audio_done(self.ids, response.response_id, item_id))
        if not response.transcript_done:
            response.transcript_done = True
            text = "".join(response.parts)
            await self._emit(ev.agent_response_audio_transcript_done(self.ids, response.response_id, item_id, text))
            await self._record_answer(response, text, interrupted=status != "completed")
        await self._emit(ev.agent_response_done(self.ids, response.response_id, input_tokens=input_tokens,
                                                output_tokens=output_tokens,
                                                metadata={**(metadata or {}), "status": status}))

    async def _cancel(self, response: _Response, *, reason: str, status: str, tell_provider: bool,
                      metadata: dict[str, str] | None = None) -> None:
        if response.response_id not in self._open:
            return
        self._open.pop(response.response_id)
        played = response.played_ms(time.monotonic())
        self.metrics.count("interruptions")
        await self._emit(ev.agent_response_cancelled(self.ids, response.response_id,
                                                     response.item_id or f"{response.response_id}_item", played,
                                                     reason))
        model = self.model
        if tell_provider and model is not None:
            with suppress(Exception):
                await model.cancel_response()
        if reason != "agent_ended" and model is not None and status != "failed":
            if model.capabilities.truncation == "explicit" and response.item_id and response.audio_ms:
                with suppress(Exception):
                    await model.truncate(response.item_id, played)
        await self._close(response, status=status, metadata=metadata)
        if not self._open and self.state == "speaking":
            await self._set_state("listening")

    async def _record_answer(self, response: _Response, text: str, *, interrupted: bool) -> None:
        if response.recorded or not text:
            return
        response.recorded = True
        await self._record(ConversationItem("assistant", text, item_id=response.item_id or response.response_id,
                                            interrupted=interrupted))

    async def _record(self, item: ConversationItem) -> None:
        item.agent_id, item.agent_name = self.spec.agent_id, self.spec.name
        item.ended_at = time.time()
        self.conversation.append(item)
        if self._on_item is not None:
            try:
                await self._on_item(item)
            except Exception:  # persistence trouble must not break the live conversation
                logger.exception("on_item failed for %s", item.item_id)

    # --- tools -----------------------------------------------------------------------------------

    async def _run_tools(self, calls: list[m.ToolCall]) -> None:
        await self._set_state("thinking")
        results: list[tuple[m.ToolCall, ToolOutcome]] = []
        for call in calls:
            self._tool_steps += 1
            if self._tool_steps > self.spec.max_tool_steps:
                outcome = error_outcome(f"tool step limit ({self.spec.max_tool_steps}) reached for this turn; "
                                        "answer the user without tools")
            else:
                outcome = await tool_execute(spec=self.spec, name=call.name, call_id=call.call_id,
                                             arguments=call.arguments, ctx=self.tool_context,
                                             wait_client=self._wait_client)
            results.append((call, outcome))
            await self._emit(ev.agent_response_tool_result(self.ids, call.call_id, call.name, outcome.output))
            await self._record(ConversationItem(
                "tool", "", item_id=call.item_id or call.call_id,
                tool_call={"id": call.call_id, "name": call.name, "arguments": call.arguments},
                tool_result=outcome.output))
        if self._after_tools is not None:
            action, self._after_tools = self._after_tools, None
            await action()
            return
        over_limit = self._tool_steps > self.spec.max_tool_steps
        # Past the limit the model is asked to answer once; after that it gets results but no new turn,
        # so a model that keeps calling tools cannot loop forever.
        speak = not (over_limit and self._step_limit_told)
        self._step_limit_told = self._step_limit_told or over_limit
        model = self.model
        if model is None:
            return
        self._request_at = time.monotonic()
        for i, (call, outcome) in enumerate(results):
            await self._call(model.send_tool_result(call.call_id, call.name, outcome.output,
                                                    last=speak and i == len(results) - 1))
        if not speak and not self._open:
            await self._set_state("listening")

    async def _wait_client(self, call_id: str) -> str:
        waiter = self._client_waits.get(call_id)
        if waiter is None:
            waiter = self._client_waits[call_id] = asyncio.get_running_loop().create_future()
        try:
            return await waiter
        finally:
            self._client_waits.pop(call_id, None)

    # --- output ----------------------------------------------------------------------------------

    async def _set_state(self, new_state: str) -> None:
        if new_state == self.state or self.state == "ended":
            return
        old, self.state = self.state, new_state
        await self._emit(ev.agent_state_changed(self.ids, old, new_state))

    async def _error(self, code: str, message: str, error_type: str = "invalid_request_error") -> None:
        await self._emit(ev.agent_error(self.ids, code, message, error_type))

    async def _emit(self, event: dict[str, Any]) -> None:
        try:
            await self._emit_to(event)
        except asyncio.CancelledError:
            raise
        except Exception:  # a gone client must not stop the agent's own bookkeeping
            logger.debug("emit failed for %s", event.get("type"), exc_info=True)


def _describe(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


_HANDLERS: dict[type, Callable[[AgentBridge, Any], Awaitable[None]]] = {
    m.ResponseCreated: AgentBridge._on_response_created,
    m.AudioDelta: AgentBridge._on_audio,
    m.AudioDone: AgentBridge._on_audio_done,
    m.TranscriptDelta: AgentBridge._on_transcript,
    m.TranscriptDone: AgentBridge._on_transcript_done,
    m.ToolCallDelta: AgentBridge._on_tool_delta,
    m.ToolCall: AgentBridge._on_tool_call,
    m.ResponseDone: AgentBridge._on_response_done,
    m.InputStarted: AgentBridge._on_input_started,
    m.InputDone: AgentBridge._on_input_done,
    m.InputTranscriptDelta: AgentBridge._on_input_delta,
    m.InputTranscriptDone: AgentBridge._on_input_done_text,
    m.Interrupted: AgentBridge._on_interrupted,
    m.ModelError: AgentBridge._on_error,
    m.GoAway: AgentBridge._on_go_away,
}
