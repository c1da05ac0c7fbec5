"""A fake OpenAI Realtime server (GA interface; optional pre-GA event names) and its DashScope cousin.

Event names, field shapes, the 24 kHz rate, server VAD events, function calls and ``error`` frames
follow OpenAI's published Realtime reference. DashScope's Qwen-Omni realtime speaks the beta-style
dialect of the same protocol; ``FakeDashScope`` overrides only what differs.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import copy
import json
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.script import EnergyVad, Reply, audio_chunks, b64, text_pieces
from tests.fakes.server import FakeConnection, FakeProvider, Frame

GA_NAMES = {
    "audio_delta": "response.output_audio.delta",
    "audio_done": "response.output_audio.done",
    "transcript_delta": "response.output_audio_transcript.delta",
    "transcript_done": "response.output_audio_transcript.done",
    "text_delta": "response.output_text.delta",
    "text_done": "response.output_text.done",
    "item_added": "conversation.item.added",
}
BETA_NAMES = {
    "audio_delta": "response.audio.delta",
    "audio_done": "response.audio.done",
    "transcript_delta": "response.audio_transcript.delta",
    "transcript_done": "response.audio_transcript.done",
    "text_delta": "response.text.delta",
    "text_done": "response.text.done",
    "item_added": "conversation.item.created",
}


@dataclass
class RealtimeState:
    tasks: set[asyncio.Task[None]]
    session: dict[str, Any]
    buffer: bytearray = field(default_factory=bytearray)
    vad: EnergyVad | None = None
    speech_item_id: str | None = None
    response_id: str | None = None
    response_task: asyncio.Task[None] | None = None
    audio_ms: dict[str, int] = field(default_factory=dict)  # assistant item id -> ms of audio sent
    calls: set[str] = field(default_factory=set)
    last_item_id: str | None = None


class FakeOpenAI(FakeProvider):
    """``async with FakeOpenAI() as fake``: an OpenAI Realtime GA endpoint at ``fake.url``.

    ``legacy_names=True`` streams the pre-GA aliases (``response.audio.delta``...) instead.
    """

    path = "/v1/realtime"
    input_rate = 24000
    provider_model = "gpt-realtime"

    def __init__(self, *, legacy_names: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.names = BETA_NAMES if legacy_names else GA_NAMES

    # --- session shape (overridden by DashScope) -------------------------------------------------

    def initial_session(self, conn: FakeConnection) -> dict[str, Any]:
        fmt = {"type": "audio/pcm", "rate": 24000}
        return {
            "type": "realtime", "object": "realtime.session", "id": self.new_id("sess"),
            "model": conn.query.get("model", self.provider_model), "output_modalities": ["audio"],
            "instructions": "", "tools": [], "tool_choice": "auto", "max_output_tokens": "inf",
            "audio": {
                "input": {"format": fmt, "transcription": None, "noise_reduction": None,
                          "turn_detection": {"type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 300,
                                             "silence_duration_ms": 200, "create_response": True,
                                             "interrupt_response": True, "idle_timeout_ms": None}},
                "output": {"format": fmt, "voice": "alloy", "speed": 1.0},
            },
        }

    def apply_update(self, current: dict[str, Any], update: dict[str, Any]) -> tuple[str, str, str] | None:
        """Merge ``update`` into ``current``; return (code, message, param) when the server refuses it."""
        if update.get("type") != "realtime":
            return ("missing_required_parameter", "Missing required parameter: 'session.type'.", "session.type")
        for side in ("input", "output"):
            fmt = update.get("audio", {}).get(side, {}).get("format")
            if fmt is not None and fmt != {"type": "audio/pcm", "rate": 24000} and fmt.get("type") == "audio/pcm":
                return ("invalid_value", "Invalid 'rate': only 24000 is supported for audio/pcm.",
                        f"session.audio.{side}.format.rate")
        for tool in update.get("tools", []):
            if "function" in tool or "name" not in tool:
                return ("missing_required_parameter", "Missing required parameter: 'session.tools[0].name'.",
                        "session.tools[0].name")
        merged = _deep_merge(current, update)
        current.clear()
        current.update(merged)
        return None

    def turn_detection(self, session: dict[str, Any]) -> dict[str, Any] | None:
        td: dict[str, Any] | None = session["audio"]["input"]["turn_detection"]
        return td

    def transcription_on(self, session: dict[str, Any]) -> bool:
        return bool(session["audio"]["input"].get("transcription"))

    def output_rate(self, session: dict[str, Any]) -> int:
        return int(session["audio"]["output"]["format"].get("rate", 24000))

    def text_only(self, session: dict[str, Any]) -> bool:
        return session.get("output_modalities") == ["text"]

    # --- protocol --------------------------------------------------------------------------------

    def new_state(self, conn: FakeConnection, tasks: set[asyncio.Task[None]]) -> RealtimeState:
        return RealtimeState(tasks=tasks, session=self.initial_session(conn))

    async def on_open(self, conn: FakeConnection) -> None:
        await self.emit(conn, "session.created", session=copy.deepcopy(conn.state.session))

    async def emit(self, conn: FakeConnection, kind: str, **fields: Any) -> None:
        await self.send({"type": kind, "event_id": self.new_id("event"), **fields}, conn)

    async def error(self, conn: FakeConnection, code: str, message: str, *, param: str | None = None,
                    client_event_id: str | None = None, error_type: str = "invalid_request_error") -> None:
        await self.emit(conn, "error", error={"type": error_type, "code": code, "message": message,
                                              "param": param, "event_id": client_event_id})

    async def on_frame(self, conn: FakeConnection, frame: Frame) -> None:
        st: RealtimeState = conn.state
        kind = frame.get("type")
        handler = self.handlers().get(str(kind))
        if "__invalid_json__" in frame:
            await self.error(conn, "invalid_json", "The server could not parse the event as JSON.")
        elif handler is None:
            await self.error(conn, "invalid_value", f"Invalid value: '{kind}'. Unknown client event type.",
                             param="type", client_event_id=frame.get("event_id"))
        else:
            await handler(conn, st, frame)

    def handlers(self) -> dict[str, Any]:
        return {
            "session.update": self._session_update,
            "input_audio_buffer.append": self._append,
            "input_audio_buffer.commit": self._commit,
            "input_audio_buffer.clear": self._clear,
            "conversation.item.create": self._item_create,
            "conversation.item.truncate": self._truncate,
            "response.create": self._response_create,
            "response.cancel": self._response_cancel,
        }

    async def _session_update(self, conn: FakeConnection, st: RealtimeState, frame: Frame) -> None:
        refused = self.apply_update(st.session, frame.get("session") or {})
        if refused:
            code, message, param = refused
            await self.error(conn, code, message, param=param, client_event_id=frame.get("event_id"))
            return
        td = self.turn_detection(st.session)
        st.vad = None if td is None else EnergyVad(rate=self.input_rate, threshold=float(td.get("threshold", 0.5)),
                                                  silence_duration_ms=int(td.get("silence_duration_ms", 500)))
        await self.emit(conn, "session.updated", session=copy.deepcopy(st.session))

    async def _append(self, conn: FakeConnection, st: RealtimeState, frame: Frame) -> None:
        try:
            pcm = base64.b64decode(frame.get("audio", ""), validate=True)
        except (binascii.Error, ValueError):
            await self.error(conn, "invalid_value", "Invalid 'audio'. Expected base64-encoded audio bytes.",
                             param="audio", client_event_id=frame.get("event_id"))
            return
        st.buffer.extend(pcm)
        if st.vad is None:
            return
        change = st.vad.feed(pcm)
        if change is None:
            return
        td = self.turn_detection(st.session) or {}
        if change[0] == "start":
            st.speech_item_id = self.new_id("item")
            if st.response_task is not None and td.get("interrupt_response", True):
                await self._cancel(conn, st, reason="turn_detected")
            await self.emit(conn, "input_audio_buffer.speech_started", audio_start_ms=change[1],
                            item_id=st.speech_item_id)
            return
        item_id = st.speech_item_id or self.new_id("item")
        await self.emit(conn, "input_audio_buffer.speech_stopped", audio_end_ms=change[1], item_id=item_id)
        await self._user_turn(conn, st, item_id)
        if td.get("create_response", True):
            self._start_response(conn, st)

    async def _commit(self, conn: FakeConnection, st: RealtimeState, frame: Frame) -> None:
        if len(st.buffer) < self.input_rate * 2 // 10:  # under 100 ms, as the real API refuses
            await self.error(conn, "input_audio_buffer_commit_empty",
                             "Error committing input audio buffer: buffer too small. Expected at least 100ms "
                             f"of audio, but buffer only has {len(st.buffer) * 500 // self.input_rate}ms of audio.",
                             client_event_id=frame.get("event_id"))
            return
        await self._user_turn(conn, st, st.speech_item_id or self.new_id("item"))

    async def _clear(self, conn: FakeConnection, st: RealtimeState, frame: Frame) -> None:
        st.buffer.clear()
        await self.emit(conn, "input_audio_buffer.cleared")

    async def _user_turn(self, conn: FakeConnection, st: RealtimeState, item_id: str) -> None:
        st.speech_item_id = None
        st.buffer.clear()
        await self.emit(conn, "input_audio_buffer.committed", previous_item_id=st.last_item_id, item_id=item_id)
        await self.emit(conn, self.names["item_added"], previous_item_id=st.last_item_id,
                        item={"id": item_id, "object": "realtime.item", "type": "message", "role": "user",
                              "status": "completed", "content": [{"type": "input_audio", "transcript": None}]})
        st.last_item_id = item_id
        if self.transcription_on(st.session):
            await self.transcribe(conn, item_id)

    async def transcribe(self, conn: FakeConnection, item_id: str) -> None:
        for piece in text_pieces(self.user_transcript, 2):
            await self.emit(conn, "conversation.item.input_audio_transcription.delta", item_id=item_id,
                            content_index=0, delta=piece)
        await self.emit(conn, "conversation.item.input_audio_transcription.completed", item_id=item_id,
                        content_index=0, transcript=self.user_transcript)

    async def _item_create(self, conn: FakeConnection, st: RealtimeState, frame: Frame) -> None:
        item = dict(frame.get("item") or {})
        kind = item.get("type")
        if kind == "function_call_output":
            if not isinstance(item.get("output"), str):
                await self.error(conn, "invalid_type", "Invalid type for 'item.output': expected a string.",
                                 param="item.output", client_event_id=frame.get("event_id"))
                return
            if item.get("call_id") not in st.calls:
                await self.error(conn, "invalid_value", f"Tool call ID '{item.get('call_id')}' not found in "
                                 "conversation.", param="item.call_id", client_event_id=frame.get("event_id"))
                return
        elif kind != "message" or item.get("role") not in ("user", "assistant", "system"):
            await self.error(conn, "invalid_value", "Invalid 'item': expected a message or function_call_output.",
                             param="item.type", client_event_id=frame.get("event_id"))
            return
        item.setdefault("id", self.new_id("item"))
        item.update(object="realtime.item", status="completed")
        await self.emit(conn, self.names["item_added"], previous_item_id=st.last_item_id, item=item)
        if self.names is GA_NAMES:
            await self.emit(conn, "conversation.item.done", previous_item_id=st.last_item_id, item=item)
        st.last_item_id = item["id"]

    async def _truncate(self, conn: FakeConnection, st: RealtimeState, frame: Frame) -> None:
        item_id, end_ms = frame.get("item_id"), frame.get("audio_end_ms")
        if item_id not in st.audio_ms:
            await self.error(conn, "item_not_found", f"Item with id '{item_id}' not found.", param="item_id",
                             client_event_id=frame.get("event_id"))
        elif not isinstance(end_ms, int) or end_ms < 0 or end_ms > st.audio_ms[item_id]:
            await self.error(conn, "invalid_value", f"Audio content of {st.audio_ms[item_id]}ms is already shorter "
                             f"than {end_ms}ms", param="audio_end_ms", client_event_id=frame.get("event_id"))
        else:
            st.audio_ms[item_id] = end_ms
            await self.emit(conn, "conversation.item.truncated", item_id=item_id,
                            content_index=frame.get("content_index", 0), audio_end_ms=end_ms)

    async def _response_create(self, conn: FakeConnection, st: RealtimeState, frame: Frame) -> None:
        if st.response_task is not None:
            await self.error(conn, "conversation_already_has_active_response",
                             "Conversation already has an active response in progress.",
                             client_event_id=frame.get("event_id"))
            return
        self._start_response(conn, st)

    async def _response_cancel(self, conn: FakeConnection, st: RealtimeState, frame: Frame) -> None:
        if st.response_task is None:
            await self.error(conn, "response_cancel_not_active", "Cancellation failed: no active response found",
                             client_event_id=frame.get("event_id"))
            return
        await self._cancel(conn, st, reason="client_cancelled")

    async def _cancel(self, conn: FakeConnection, st: RealtimeState, *, reason: str) -> None:
        task, response_id = st.response_task, st.response_id
        assert task is not None
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        st.response_task = st.response_id = None
        await self.emit(conn, "response.done", response={
            "id": response_id, "object": "realtime.response", "status": "cancelled",
            "status_details": {"type": "cancelled", "reason": reason}, "output": [],
            "usage": {"total_tokens": 0, "input_tokens": 0, "output_tokens": 0}})

    # --- responses -------------------------------------------------------------------------------

    def _start_response(self, conn: FakeConnection, st: RealtimeState) -> None:
        st.response_id = self.new_id("resp")
        task = asyncio.create_task(self._stream(conn, st, self.next_reply(), st.response_id))
        st.response_task = task
        st.tasks.add(task)
        task.add_done_callback(st.tasks.discard)

    async def _stream(self, conn: FakeConnection, st: RealtimeState, reply: Reply, rid: str) -> None:
        await self.emit(conn, "response.created", response={"id": rid, "object": "realtime.response",
                                                            "status": "in_progress", "output": []})
        output: list[dict[str, Any]] = []
        index = 0
        if reply.text or (reply.audio_ms and not reply.tool_calls):
            item = await self._stream_message(conn, st, reply, rid)
            if item is None:
                return  # dropped mid-response
            output.append(item)
            index = 1
        for offset, call in enumerate(reply.tool_calls):
            output.append(await self._stream_call(conn, st, rid, index + offset, call.name,
                                                  call.call_id or self.new_id("call"),
                                                  json.dumps(call.arguments), call.stream_arguments))
        st.response_task = st.response_id = None
        await self.emit(conn, "response.done", response={
            "id": rid, "object": "realtime.response", "status": "completed", "status_details": None,
            "output": output, "usage": {"total_tokens": reply.input_tokens + reply.output_tokens,
                                        "input_tokens": reply.input_tokens, "output_tokens": reply.output_tokens}})

    async def _stream_message(self, conn: FakeConnection, st: RealtimeState, reply: Reply,
                              rid: str) -> dict[str, Any] | None:
        item_id = self.new_id("item")
        item = {"id": item_id, "object": "realtime.item", "type": "message", "role": "assistant",
                "status": "in_progress", "content": []}
        text_only = self.text_only(st.session)
        ids = {"response_id": rid, "item_id": item_id, "output_index": 0, "content_index": 0}
        await self.emit(conn, "response.output_item.added", response_id=rid, output_index=0, item=item)
        await self.emit(conn, self.names["item_added"], previous_item_id=st.last_item_id, item=item)
        st.last_item_id = item_id
        await self.emit(conn, "response.content_part.added", **ids,
                        part={"type": "text" if text_only else "audio", "transcript": ""})
        if text_only:
            for piece in text_pieces(reply.text, 3):
                await self.emit(conn, self.names["text_delta"], **ids, delta=piece)
            await self.emit(conn, self.names["text_done"], **ids, text=reply.text)
            part = {"type": "text", "text": reply.text}
        else:
            rate = self.output_rate(st.session)
            chunks = audio_chunks(reply, rate)
            st.audio_ms[item_id] = 0
            for n, (chunk, piece) in enumerate(zip(chunks, text_pieces(reply.text, len(chunks)), strict=True), 1):
                await self.emit(conn, self.names["audio_delta"], **ids, delta=b64(chunk))
                st.audio_ms[item_id] += len(chunk) * 500 // rate
                if piece:
                    await self.emit(conn, self.names["transcript_delta"], **ids, delta=piece)
                if reply.drop_after_chunks == n:
                    await self.drop(connection=conn)
                    return None
                await asyncio.sleep(reply.chunk_delay_s)
            await self.emit(conn, self.names["audio_done"], **ids)
            await self.emit(conn, self.names["transcript_done"], **ids, transcript=reply.text)
            part = {"type": "audio", "transcript": reply.text}
        await self.emit(conn, "response.content_part.done", **ids, part=part)
        done = {**item, "status": "completed", "content": [part]}
        await self.emit(conn, "response.output_item.done", response_id=rid, output_index=0, item=done)
        return done

    async def _stream_call(self, conn: FakeConnection, st: RealtimeState, rid: str, index: int, name: str,
                           call_id: str, arguments: str, stream: bool) -> dict[str, Any]:
        item_id = self.new_id("item")
        item = {"id": item_id, "object": "realtime.item", "type": "function_call", "status": "in_progress",
                "name": name, "call_id": call_id, "arguments": ""}
        await self.emit(conn, "response.output_item.added", response_id=rid, output_index=index, item=item)
        await self.emit(conn, self.names["item_added"], previous_item_id=st.last_item_id, item=item)
        st.last_item_id = item_id
        ids = {"response_id": rid, "item_id": item_id, "output_index": index, "call_id": call_id}
        if stream:
            half = len(arguments) // 2
            for piece in (arguments[:half], arguments[half:]):
                await self.emit(conn, "response.function_call_arguments.delta", **ids, delta=piece)
        await self.emit(conn, "response.function_call_arguments.done", **ids, name=name, arguments=arguments)
        done = {**item, "status": "completed", "arguments": arguments}
        await self.emit(conn, "response.output_item.done", response_id=rid, output_index=index, item=done)
        st.calls.add(call_id)
        return done


def _deep_merge(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out
