"""OpenAI Realtime (GA interface) adapter; its event parser also serves DashScope's beta dialect.

GA session shape (``session.type = "realtime"``, nested ``audio.input`` / ``audio.output``), no
``OpenAI-Beta`` header. Inbound, both the GA names and the pre-GA aliases are understood. A function
call's name and ``call_id`` come from ``response.output_item.added`` and its arguments from the
authoritative ``response.function_call_arguments.done.arguments``; argument deltas are optional.
"""

from __future__ import annotations

from typing import Any

from agents.realtime import b64
from agents.realtime.models.base import (
    AudioDelta,
    AudioDone,
    HistoryItem,
    InputDone,
    InputStarted,
    InputTranscriptDelta,
    InputTranscriptDone,
    ModelCapabilities,
    ModelConnectError,
    ModelError,
    ModelEvent,
    ResponseCreated,
    ResponseDone,
    SessionReady,
    ToolCall,
    ToolCallDelta,
    TranscriptDelta,
    TranscriptDone,
)
from agents.realtime.models.connection import Frame, WebSocketModel, with_query
from agents.realtime.spec import TurnDetection

PCM_24K = {"type": "audio/pcm", "rate": 24000}
DEFAULT_MODEL = "gpt-realtime"
DEFAULT_TRANSCRIPTION_MODEL = "gpt-4o-mini-transcribe"

AUDIO_DELTA = ("response.output_audio.delta", "response.audio.delta")
AUDIO_DONE = ("response.output_audio.done", "response.audio.done")
TRANSCRIPT_DELTA = ("response.output_audio_transcript.delta", "response.audio_transcript.delta",
                    "response.output_text.delta", "response.text.delta")
TRANSCRIPT_DONE = ("response.output_audio_transcript.done", "response.audio_transcript.done",
                   "response.output_text.done", "response.text.done")


class RealtimeEventParser:
    """Turns OpenAI-style server events into normalized events; one per connection (it keeps state)."""

    def __init__(self, output_rate: int) -> None:
        self.output_rate = output_rate
        self.response_active = False
        self.audio_ms: dict[str, int] = {}  # assistant item id -> ms of audio received
        self._calls: dict[str, tuple[str, str]] = {}  # function_call item id -> (call_id, name)
        self._arguments: dict[str, str] = {}
        self._text: dict[str, str] = {}
        self._response_id = ""

    def on_session(self, session: dict[str, Any]) -> None:
        """Hook for dialects whose session echo decides the output rate (DashScope)."""

    def parse(self, frame: Frame) -> list[ModelEvent]:
        kind = str(frame.get("type", ""))
        rid = str(frame.get("response_id") or self._response_id)
        item_id = str(frame.get("item_id", ""))
        if kind in ("session.created", "session.updated"):
            session = frame.get("session") or {}
            self.on_session(session)
            return [SessionReady(session_id=str(session.get("id", "")))] if kind == "session.updated" else []
        if kind in AUDIO_DELTA:
            pcm = b64.decode(frame.get("delta", ""))
            self.audio_ms[item_id] = self.audio_ms.get(item_id, 0) + len(pcm) * 500 // self.output_rate
            return [AudioDelta(rid, item_id, pcm, self.output_rate)]
        if kind in AUDIO_DONE:
            return [AudioDone(rid, item_id)]
        if kind in TRANSCRIPT_DELTA:
            delta = str(frame.get("delta", ""))
            self._text[item_id] = self._text.get(item_id, "") + delta
            return [TranscriptDelta(rid, item_id, delta)]
        if kind in TRANSCRIPT_DONE:
            full = frame.get("transcript", frame.get("text"))
            text = str(full if full is not None else self._text.get(item_id, ""))
            self._text.pop(item_id, None)
            return [TranscriptDone(rid, item_id, text)]
        if kind.startswith("response.function_call_arguments."):
            return self._function_call(kind, frame, rid, item_id)
        return self._lifecycle(kind, frame, rid, item_id)

    def _function_call(self, kind: str, frame: Frame, rid: str, item_id: str) -> list[ModelEvent]:
        known_call_id, known_name = self._calls.get(item_id, ("", ""))
        call_id = str(frame.get("call_id") or known_call_id)
        name = str(frame.get("name") or known_name)
        if kind.endswith(".delta"):
            self._arguments[call_id] = self._arguments.get(call_id, "") + str(frame.get("delta", ""))
            return [ToolCallDelta(rid, item_id, call_id, name, self._arguments[call_id])]
        if kind.endswith(".done"):
            streamed = self._arguments.pop(call_id, "")
            arguments = frame.get("arguments")
            return [ToolCall(rid, item_id, call_id, name, str(arguments if arguments is not None else streamed or "{}"))]
        return []

    def _lifecycle(self, kind: str, frame: Frame, rid: str, item_id: str) -> list[ModelEvent]:
        if kind == "response.created":
            self._response_id = str((frame.get("response") or {}).get("id", ""))
            self.response_active = True
            return [ResponseCreated(self._response_id)]
        if kind == "response.output_item.added":
            item = frame.get("item") or {}
            if item.get("type") == "function_call":
                self._calls[str(item.get("id", ""))] = (str(item.get("call_id", "")), str(item.get("name", "")))
            return []
        if kind == "response.done":
            response = frame.get("response") or {}
            usage = response.get("usage") or {}
            details = response.get("status_details") or {}
            metadata = {k: str(details[k]) for k in ("type", "reason") if details.get(k)}
            self.response_active = False
            status = str(response.get("status", "completed"))
            done = ResponseDone(str(response.get("id", rid)), status, int(usage.get("input_tokens") or 0),
                                int(usage.get("output_tokens") or 0), metadata)
            if status == "failed":
                # Why it failed (a rate limit, a server error) is only here; without it the agent just
                # falls silent.
                return [error_event({"error": details.get("error") or {
                    "code": "response_failed", "message": "the provider's response failed"}}), done]
            return [done]
        if kind == "input_audio_buffer.speech_started":
            return [InputStarted(item_id, int(frame.get("audio_start_ms") or 0))]
        if kind == "input_audio_buffer.speech_stopped":
            return [InputDone(item_id, int(frame.get("audio_end_ms") or 0))]
        if kind == "conversation.item.input_audio_transcription.delta":
            return [InputTranscriptDelta(item_id, str(frame.get("delta", "")))]
        if kind == "conversation.item.input_audio_transcription.completed":
            usage = frame.get("usage") or {}
            return [InputTranscriptDone(item_id, str(frame.get("transcript", "")), usage.get("input_tokens"),
                                        usage.get("output_tokens"))]
        if kind == "conversation.item.input_audio_transcription.failed":
            error = frame.get("error") or {}
            return [ModelError("transcription_failed", str(error.get("message", "input transcription failed")))]
        if kind == "error":
            return [error_event(frame)]
        return []  # item lifecycle, rate limits, truncation acks: nothing the engine needs


def error_event(frame: Frame) -> ModelError:
    error = frame.get("error") or {}
    return ModelError(code=str(error.get("code") or error.get("type") or "provider_error"),
                      message=str(error.get("message", "the provider reported an error")),
                      error_type=str(error.get("type") or "provider_error"))


def refusal(frame: Frame) -> str | None:
    """An ``error`` frame while connecting means the session config was refused."""
    if frame.get("type") != "error":
        return None
    error = error_event(frame)
    return f"the provider refused the session ({error.code}): {error.message}"


def server_vad(td: TurnDetection | None) -> dict[str, Any] | None:
    """The ``server_vad`` block both OpenAI and DashScope take; ``None`` means manual turns."""
    if td is None:
        return None
    return {"type": "server_vad", "threshold": td.threshold, "prefix_padding_ms": td.prefix_padding_ms,
            "silence_duration_ms": td.silence_duration_ms}


def is_type(kind: str) -> Any:
    return lambda frame: frame.get("type") == kind


class OpenAIRealtimeModel(WebSocketModel):
    provider_name = "openai"
    capabilities = ModelCapabilities(input_rate=24000, output_rate=24000, text_input=True, image_input=True,
                                     tools=True, truncation="explicit", server_vad=True)
    _parser: RealtimeEventParser

    def _connect_url(self) -> str:
        return with_query(self.url, model=self.spec.model or DEFAULT_MODEL)

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._auth_key()}"}

    def _new_parser(self) -> RealtimeEventParser:
        return RealtimeEventParser(self.capabilities.output_rate)

    async def connect(self, history: tuple[HistoryItem, ...] = ()) -> None:
        self._parser = self._new_parser()
        socket = await self._open(self._connect_url(), self._headers(), self._parser.parse, refusal)
        try:
            created = await socket.expect(is_type("session.created"), what="session.created")
            self._on_created(created.get("session") or {})
            updated = socket.expect(is_type("session.updated"), what="session.updated")
            await self._send({"type": "session.update", "session": self._session_config(history)})
            await updated
        except ModelConnectError as exc:
            await self._fail_connect(exc)
        for item in history:
            await self._send_history(item)

    def _on_created(self, session: dict[str, Any]) -> None:
        return None

    def _session_config(self, history: tuple[HistoryItem, ...]) -> dict[str, Any]:
        spec = self.spec
        turn_detection = server_vad(spec.turn_detection)
        if turn_detection is not None:
            turn_detection.update(create_response=True, interrupt_response=True)
        transcription = None
        if spec.input_transcription:
            transcription = {"model": spec.metadata.get("transcription_model", DEFAULT_TRANSCRIPTION_MODEL)}
        output: dict[str, Any] = {"format": PCM_24K}
        if spec.voice:
            output["voice"] = spec.voice
        session: dict[str, Any] = {
            "type": "realtime", "instructions": spec.instructions, "output_modalities": ["audio"],
            "audio": {"input": {"format": PCM_24K, "transcription": transcription, "turn_detection": turn_detection},
                      "output": output},
            "tools": [{"type": "function", "name": t.name, "description": t.description, "parameters": t.parameters}
                      for t in spec.tools],
            "tool_choice": "auto",
        }
        if spec.max_output_tokens:
            session["max_output_tokens"] = spec.max_output_tokens
        return session

    async def _send_history(self, item: HistoryItem) -> None:
        # Replayed before any response so the new connection continues the conversation.
        if item.role == "assistant":
            content = [{"type": "output_text", "text": item.text}]
            message = {"type": "message", "role": "assistant", "content": content}
        else:
            text = item.text if item.role == "user" else f"Tool result: {item.text}"
            message = {"type": "message", "role": "user" if item.role == "user" else "system",
                       "content": [{"type": "input_text", "text": text}]}
        await self._send({"type": "conversation.item.create", "item": message})

    # --- input -----------------------------------------------------------------------------------

    async def send_audio(self, pcm: bytes) -> None:
        await self._send(_audio_append(pcm))

    def audio_writable(self) -> bool:
        return self._socket is not None and self._socket.writable_now()

    def send_audio_now(self, pcm: bytes) -> None:
        assert self._socket is not None  # audio_writable() said so
        self._socket.write_now(_audio_append(pcm))

    async def send_text(self, text: str) -> None:
        await self._send({"type": "conversation.item.create", "item": {
            "type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}})
        await self.create_response()  # an item alone gets no reply

    async def send_image(self, data_b64: str, mime_type: str = "image/jpeg") -> None:
        await self._send({"type": "conversation.item.create", "item": {
            "type": "message", "role": "user",
            "content": [{"type": "input_image", "image_url": f"data:{mime_type};base64,{data_b64}"}]}})

    async def commit_audio(self) -> None:
        await self._send({"type": "input_audio_buffer.commit"})
        await self.create_response()

    async def create_response(self) -> None:
        await self._send({"type": "response.create"})

    async def send_tool_result(self, call_id: str, name: str, output: str, *, last: bool = True) -> None:
        await self._send({"type": "conversation.item.create", "item": {
            "type": "function_call_output", "call_id": call_id, "output": str(output)}})
        if last:
            await self.create_response()

    async def cancel_response(self) -> None:
        # With server VAD the server may already have cancelled on speech start; a second cancel
        # only earns a `response_cancel_not_active` error.
        if self._parser.response_active:
            await self._send({"type": "response.cancel"})

    async def truncate(self, item_id: str, played_ms: int) -> None:
        received = self._parser.audio_ms.get(item_id)
        if received is None:
            return  # not an audio item of ours: nothing the user heard to trim
        end_ms = max(0, min(int(played_ms), received))  # beyond the audio sent is a provider error
        self._parser.audio_ms[item_id] = end_ms  # the server now holds only this much
        await self._send({"type": "conversation.item.truncate", "item_id": item_id, "content_index": 0,
                          "audio_end_ms": end_ms})


def _audio_append(pcm: bytes) -> str:
    # Written out, not json.dumps'd: 50 frames a second per session, and base64 needs no escaping.
    return f'{{"type":"input_audio_buffer.append","audio":"{b64.encode(pcm)}"}}'
