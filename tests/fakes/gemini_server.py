"""A fake Gemini Live (BidiGenerateContent) server.

Follows Google's Live API reference: ``setup`` first and ``setupComplete`` back, ``realtimeInput``
(16 kHz ``audio/pcm;rate=16000`` audio, video frames, activityStart/activityEnd when automatic
activity detection is disabled), ``clientContent`` turns, ``toolResponse`` with object responses, and
server messages that may carry several keys and parts. Like the real service, a bad message or key
closes the socket with 1007/1008 and a reason; there are no error frames. No VAD events are sent.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
from dataclasses import dataclass, field
from typing import Any

from websockets.datastructures import Headers

from tests.fakes.script import EnergyVad, Reply, audio_chunks, b64, text_pieces
from tests.fakes.server import FakeConnection, FakeProvider, Frame

LIVE_PATH = "/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent"
OUTPUT_RATE = 24000
INPUT_RATE = 16000


@dataclass
class GeminiState:
    tasks: set[asyncio.Task[None]]
    setup: dict[str, Any] | None = None
    vad: EnergyVad | None = None
    in_activity: bool = False
    turn: asyncio.Task[None] | None = None
    pending_calls: dict[str, str] = field(default_factory=dict)
    resumable: bool = False


class FakeGemini(FakeProvider):
    """``async with FakeGemini(pack_messages=True) as fake``: ``fake.url`` is the full Live endpoint.

    ``pack_messages`` puts each transcription piece in the same ``serverContent`` as its audio part and
    ``generationComplete`` + ``turnComplete`` + ``usageMetadata`` in one message, as Gemini may do.
    ``resumption_handles`` lists the handles issued via ``sessionResumptionUpdate``.
    """

    path = LIVE_PATH
    auth_header = "x-goog-api-key"

    def __init__(self, *, pack_messages: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pack_messages = pack_messages
        self.resumption_handles: list[str] = []

    def _authorized(self, headers: Headers) -> bool:
        return True  # Gemini accepts the upgrade and then closes with 1008 (checked in on_open)

    def new_state(self, conn: FakeConnection, tasks: set[asyncio.Task[None]]) -> GeminiState:
        return GeminiState(tasks=tasks)

    async def on_open(self, conn: FakeConnection) -> None:
        if conn.headers.get("x-goog-api-key") != self.api_key or "key" in conn.query:
            self.rejected.append(conn.headers)
            await self.drop(1008, "API key not valid. Please pass a valid API key.", connection=conn)

    async def fail(self, conn: FakeConnection, reason: str) -> None:
        await self.drop(1007, reason, connection=conn)

    async def on_frame(self, conn: FakeConnection, frame: Frame) -> None:
        st: GeminiState = conn.state
        keys = [k for k in ("setup", "clientContent", "realtimeInput", "toolResponse") if k in frame]
        if len(keys) != 1 or len(frame) != 1:
            await self.fail(conn, "Invalid JSON payload received. Exactly one message type must be set.")
        elif st.setup is None and keys[0] != "setup":
            await self.fail(conn, "Invalid JSON payload received. The first message must be setup.")
        elif keys[0] == "setup":
            await self._setup(conn, st, frame["setup"])
        elif keys[0] == "realtimeInput":
            await self._realtime_input(conn, st, frame["realtimeInput"])
        elif keys[0] == "clientContent":
            content = frame["clientContent"]
            if content.get("turnComplete"):
                await self._interrupt(conn, st)
                self._start_turn(conn, st)
        else:
            await self._tool_response(conn, st, frame["toolResponse"])

    async def _setup(self, conn: FakeConnection, st: GeminiState, setup: dict[str, Any]) -> None:
        if st.setup is not None:
            await self.fail(conn, "Invalid JSON payload received. setup may be sent only once.")
            return
        if not str(setup.get("model", "")).startswith("models/"):
            await self.fail(conn, "Invalid JSON payload received. model must be like models/{model}.")
            return
        st.setup = setup
        aad = setup.get("realtimeInputConfig", {}).get("automaticActivityDetection", {})
        if not aad.get("disabled", False):
            st.vad = EnergyVad(rate=INPUT_RATE, threshold=0.5,
                               silence_duration_ms=int(aad.get("silenceDurationMs", 500)))
        st.resumable = isinstance(setup.get("sessionResumption"), dict)
        await self.send({"setupComplete": {}}, conn)

    def _modalities(self, st: GeminiState) -> list[str]:
        assert st.setup is not None
        return list(st.setup.get("generationConfig", {}).get("responseModalities", ["AUDIO"]))

    async def _realtime_input(self, conn: FakeConnection, st: GeminiState, data: dict[str, Any]) -> None:
        if "audio" in data:
            audio = data["audio"]
            if not str(audio.get("mimeType", "")).startswith("audio/pcm"):
                await self.fail(conn, "Invalid JSON payload received. Unsupported audio mimeType.")
                return
            try:
                pcm = base64.b64decode(audio.get("data", ""), validate=True)
            except (binascii.Error, ValueError):
                await self.fail(conn, "Invalid value at 'realtime_input.audio.data' (TYPE_BYTES), Base64 decoding failed")
                return
            if st.vad is not None:
                change = st.vad.feed(pcm)
                if change and change[0] == "start":
                    await self._interrupt(conn, st)
                elif change:
                    await self._user_said(conn)
                    self._start_turn(conn, st)
        if "activityStart" in data or "activityEnd" in data:
            if st.vad is not None:
                await self.fail(conn, "Explicit activity control is not supported when automatic activity "
                                "detection is enabled.")
                return
            if "activityStart" in data:
                st.in_activity = True
                await self._interrupt(conn, st)
            else:
                st.in_activity = False
                await self._user_said(conn)
                self._start_turn(conn, st)

    async def _user_said(self, conn: FakeConnection) -> None:
        for piece in text_pieces(self.user_transcript, 2):
            await self.send({"serverContent": {"inputTranscription": {"text": piece}}}, conn)

    async def _tool_response(self, conn: FakeConnection, st: GeminiState, data: dict[str, Any]) -> None:
        for n, response in enumerate(data.get("functionResponses", [])):
            if not isinstance(response.get("response"), dict):
                await self.fail(conn, "Invalid JSON payload received. Unknown name \"response\" at "
                                f"'tool_response.function_responses[{n}]': Proto field is not repeating, "
                                "cannot start list.")
                return
            st.pending_calls.pop(str(response.get("id")), None)
        if not st.pending_calls:
            self._start_turn(conn, st)  # the model continues by itself

    async def _interrupt(self, conn: FakeConnection, st: GeminiState) -> None:
        if st.turn is None:
            return
        st.turn.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await st.turn
        st.turn = None
        await self.send({"serverContent": {"interrupted": True}}, conn)
        if st.pending_calls:
            await self.send({"toolCallCancellation": {"ids": list(st.pending_calls)}}, conn)
            st.pending_calls.clear()

    def _start_turn(self, conn: FakeConnection, st: GeminiState) -> None:
        task = asyncio.create_task(self._stream(conn, st, self.next_reply()))
        st.turn = task
        st.tasks.add(task)
        task.add_done_callback(st.tasks.discard)

    async def _stream(self, conn: FakeConnection, st: GeminiState, reply: Reply) -> None:
        audio = "AUDIO" in self._modalities(st)
        if reply.text or (reply.audio_ms and not reply.tool_calls):
            chunks = audio_chunks(reply, OUTPUT_RATE) if audio else [b""] * 3
            pieces = text_pieces(reply.text, len(chunks))
            for n, (chunk, piece) in enumerate(zip(chunks, pieces, strict=True), 1):
                part = ({"inlineData": {"mimeType": f"audio/pcm;rate={OUTPUT_RATE}", "data": b64(chunk)}}
                        if audio else {"text": piece})
                content: dict[str, Any] = {"modelTurn": {"parts": [part]}}
                if audio and piece and self.pack_messages:
                    content["outputTranscription"] = {"text": piece}
                await self.send({"serverContent": content}, conn)
                if audio and piece and not self.pack_messages:
                    await self.send({"serverContent": {"outputTranscription": {"text": piece}}}, conn)
                if reply.drop_after_chunks == n:
                    await self.drop(connection=conn)
                    return
                await asyncio.sleep(reply.chunk_delay_s)
        if reply.tool_calls:
            calls = []
            for call in reply.tool_calls:
                call_id = call.call_id or self.new_id("function-call")
                st.pending_calls[call_id] = call.name
                calls.append({"id": call_id, "name": call.name, "args": call.arguments})
            await self.send({"toolCall": {"functionCalls": calls}}, conn)
            st.turn = None
            return
        usage = {"promptTokenCount": reply.input_tokens, "responseTokenCount": reply.output_tokens,
                 "totalTokenCount": reply.input_tokens + reply.output_tokens}
        st.turn = None
        if self.pack_messages:
            await self.send({"serverContent": {"generationComplete": True, "turnComplete": True},
                             "usageMetadata": usage}, conn)
        else:
            await self.send({"serverContent": {"generationComplete": True}}, conn)
            await self.send({"serverContent": {"turnComplete": True}, "usageMetadata": usage}, conn)
        if st.resumable:
            handle = self.new_id("handle")
            self.resumption_handles.append(handle)
            await self.send({"sessionResumptionUpdate": {"newHandle": handle, "resumable": True}}, conn)
