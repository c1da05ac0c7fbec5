"""The offline local model: no network, deterministic, and honest that it is not a real assistant.

* Text turns get ``Local model heard: "<text>"`` as transcript deltas plus a soft synthesized tone
  (PCM16, 24 kHz, ~60 ms per character) streamed in 100 ms chunks **at real-time pace**, so barge-in
  and pacing behave as with a provider. ``spec.metadata["local_speed"]`` speeds the pace up (tests).
* Audio input (16 kHz) goes through ``EnergyVad``: ``InputStarted``/``InputDone`` carry stream
  timestamps, the user transcript is ``[1.2 s of audio]`` and the reply says what was heard.
  With ``turn_detection=None`` nothing happens until ``commit_audio``.
* ``use tool NAME {json}`` in a text turn calls that configured tool; after the result the reply
  quotes it. Speech starting while a reply streams cancels it (``ResponseDone`` status cancelled).
* ``drop()`` is a test hook that loses the "connection" (``ModelDisconnected``), and
  ``spec.metadata["local_refuse_connect"]`` makes ``connect`` fail, to exercise reconnects.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Coroutine
from itertools import count
from typing import cast

import numpy as np

from agents.realtime.audio import EnergyVad, VadEvent, float_to_pcm16, pcm_ms
from agents.realtime.models.base import (
    AudioDelta,
    AudioDone,
    HistoryItem,
    InputDone,
    InputStarted,
    InputTranscriptDone,
    ModelCapabilities,
    ModelConnectError,
    ModelDisconnected,
    ModelError,
    ModelEvent,
    RealtimeModel,
    ResponseCreated,
    ResponseDone,
    SessionReady,
    ToolCall,
    ToolCallDelta,
    TranscriptDelta,
    TranscriptDone,
)
from agents.realtime.spec import AgentSpec
from agents.realtime.tasks import stop_task

INPUT_RATE = 16_000
OUTPUT_RATE = 24_000
MS_PER_CHAR = 60
# Replies quote at most this much of what was heard: agents echoing each other must not grow each turn.
QUOTE_CHARS = 120

CHUNK_MS = 100
TOOL_OUTPUT_CHARS = 80
_TOOL_REQUEST = re.compile(r"use tool\s+([A-Za-z_][\w-]*)\s*(\{.*\})?\s*$", re.S)
_END = object()
_INSTANCES = count(1)


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1].rstrip() + "…"


class LocalModel(RealtimeModel):
    def __init__(self, spec: AgentSpec, url: str = ""):
        super().__init__(spec, url)
        self.capabilities = ModelCapabilities(
            input_rate=INPUT_RATE, output_rate=OUTPUT_RATE, text_input=True, image_input=True, tools=True,
            truncation="explicit", server_vad=spec.turn_detection is not None)
        self.speed = max(0.01, float(spec.metadata.get("local_speed", "1") or 1))
        self.history: tuple[HistoryItem, ...] = ()
        self.truncations: list[tuple[str, int]] = []
        self.images = 0
        self._queue: asyncio.Queue[ModelEvent | object] = asyncio.Queue()
        self._ids = count(1)
        self._tag = next(_INSTANCES)  # ids stay unique across reconnects, as a provider's are
        self._reply: asyncio.Task[None] | None = None
        self._response_id = ""
        self._vad: EnergyVad | None = None
        self._turn_bytes = 0  # audio of the current user turn
        self._turn_item = ""
        self._tone_phase = 0.0
        self._tool_outputs: list[str] = []
        self._closed = False
        self._connected = False

    # --- lifecycle -------------------------------------------------------------------------------

    async def connect(self, history: tuple[HistoryItem, ...] = ()) -> None:
        if self.spec.metadata.get("local_refuse_connect"):
            raise ModelConnectError("the local model was told to refuse connections (test hook)")
        self.history = history
        td = self.spec.turn_detection
        if td is not None:
            self._vad = EnergyVad(INPUT_RATE, threshold=td.threshold, silence_ms=td.silence_duration_ms)
        self._connected = True
        self._queue.put_nowait(SessionReady(session_id=f"local-{id(self):x}"))

    async def events(self) -> AsyncIterator[ModelEvent]:
        while True:
            event = await self._queue.get()
            if event is _END:
                return
            yield cast(ModelEvent, event)
            if isinstance(event, ModelDisconnected):
                return

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        await self._stop_reply()
        self._queue.put_nowait(_END)

    async def drop(self) -> None:
        """Test hook: the connection is lost mid-whatever, as a provider socket would be."""
        if self._closed:
            return
        self._closed = True
        await self._stop_reply()
        self._queue.put_nowait(ModelDisconnected(reason="local model dropped (test hook)", code=1006))

    # --- input -----------------------------------------------------------------------------------

    async def send_audio(self, pcm: bytes) -> None:
        self._require_open()
        if self._vad is None:
            self._turn_bytes += len(pcm)
            return
        for event in self._vad.feed(pcm):
            await self._on_vad(event)
        if self._vad.speaking:
            self._turn_bytes += len(pcm)

    async def _on_vad(self, event: VadEvent) -> None:
        if event.kind == "start":
            self._turn_item = self._new_id("item")
            self._turn_bytes = 0
            self._put(InputStarted(self._turn_item, event.at_ms))
            if self._reply is not None and not self._reply.done():
                await self.cancel_response()  # barge-in, as a server VAD with interrupt_response does
            return
        self._put(InputDone(self._turn_item, event.at_ms))
        await self._finish_audio_turn(self._turn_item)

    async def _finish_audio_turn(self, item_id: str) -> None:
        seconds = pcm_ms(self._turn_bytes, INPUT_RATE) / 1000
        self._turn_bytes = 0
        self._put(InputTranscriptDone(item_id, f"[{seconds:.1f} s of audio]"))
        await self._start_reply(f"Local model heard {seconds:.1f} seconds of audio.")

    async def send_text(self, text: str) -> None:
        self._require_open()
        match = _TOOL_REQUEST.search(text.strip())
        if match and any(t.name == match.group(1) for t in self.spec.tools):
            await self._start(self._tool_call(match.group(1), match.group(2) or "{}"))
            return
        seen = f" (and saw {self.images} image{'s' if self.images != 1 else ''})" if self.images else ""
        await self._start_reply(f'Local model heard: "{_quote(text)}"{seen}')

    async def send_image(self, data_b64: str, mime_type: str = "image/jpeg") -> None:
        self._require_open()
        self.images += 1

    async def commit_audio(self) -> None:
        self._require_open()
        if self._turn_bytes == 0:
            self._put(ModelError("input_audio_buffer_commit_empty", "no audio to commit",
                                 error_type="invalid_request_error"))
            return
        await self._finish_audio_turn(self._new_id("item"))

    async def create_response(self) -> None:
        self._require_open()
        await self._start_reply("Local model here, replying on request.")

    async def speak(self, text: str) -> None:
        self._require_open()
        await self._start_reply(text)

    async def send_tool_result(self, call_id: str, name: str, output: str, *, last: bool = True) -> None:
        self._require_open()
        quoted = output if len(output) <= TOOL_OUTPUT_CHARS else output[:TOOL_OUTPUT_CHARS] + "..."  # keeps replies short
        self._tool_outputs.append(f"{name} returned {quoted}")
        if last:
            outputs, self._tool_outputs = self._tool_outputs, []
            await self._start_reply("Local model got the tool result: " + "; ".join(outputs) + ".")

    async def cancel_response(self) -> None:
        if self._reply is not None and not self._reply.done():
            await self._stop_reply()
            self._put(ResponseDone(self._response_id, status="cancelled"))

    async def truncate(self, item_id: str, played_ms: int) -> None:
        self.truncations.append((item_id, played_ms))

    # --- output ----------------------------------------------------------------------------------

    async def _start_reply(self, text: str) -> None:
        await self._start(self._reply_stream(text))

    async def _start(self, coro: Coroutine[None, None, None]) -> None:
        # One response at a time, as with a provider: a new turn replaces a running reply.
        await self.cancel_response()
        self._response_id = self._new_id("resp")
        self._put(ResponseCreated(self._response_id))
        self._reply = asyncio.get_running_loop().create_task(coro)

    async def _reply_stream(self, text: str) -> None:
        response_id, item_id = self._response_id, self._new_id("item")
        words = text.split(" ")
        total_ms = max(CHUNK_MS, len(text) * MS_PER_CHAR)
        chunks = -(-total_ms // CHUNK_MS)
        loop = asyncio.get_running_loop()
        started = loop.time()
        sent_words = 0
        for i in range(chunks):
            # Real-time pace from a fixed start, so sleeps never accumulate drift.
            await asyncio.sleep(max(0.0, started + i * CHUNK_MS / 1000 / self.speed - loop.time()))
            want = round(len(words) * (i + 1) / chunks)
            if want > sent_words:
                piece = " ".join(words[sent_words:want])
                self._put(TranscriptDelta(response_id, item_id, piece if sent_words == 0 else " " + piece))
                sent_words = want
            self._put(AudioDelta(response_id, item_id, self._tone(CHUNK_MS), OUTPUT_RATE))
        await asyncio.sleep(max(0.0, started + chunks * CHUNK_MS / 1000 / self.speed - loop.time()))
        self._put(AudioDone(response_id, item_id))
        self._put(TranscriptDone(response_id, item_id, text))
        self._put(ResponseDone(response_id, status="completed", input_tokens=0, output_tokens=len(words),
                               metadata={"model": "local"}))

    async def _tool_call(self, name: str, arguments: str) -> None:
        response_id, item_id, call_id = self._response_id, self._new_id("item"), self._new_id("call")
        half = len(arguments) // 2
        self._put(ToolCallDelta(response_id, item_id, call_id, name, arguments[:half]))
        self._put(ToolCallDelta(response_id, item_id, call_id, name, arguments))
        self._put(ToolCall(response_id, item_id, call_id, name, arguments))
        self._put(ResponseDone(response_id, status="completed", metadata={"model": "local"}))

    def _tone(self, ms: int) -> bytes:
        n = OUTPUT_RATE * ms // 1000
        phase = self._tone_phase + 2 * np.pi * 220 / OUTPUT_RATE * np.arange(1, n + 1)
        self._tone_phase = float(phase[-1] % (2 * np.pi))
        return float_to_pcm16(0.1 * np.sin(phase))

    # --- plumbing --------------------------------------------------------------------------------

    async def _stop_reply(self) -> None:
        await stop_task(self._reply)

    def _put(self, event: ModelEvent) -> None:
        self._queue.put_nowait(event)

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}_{self._tag}_{next(self._ids)}"

    def _require_open(self) -> None:
        if self._closed or not self._connected:
            raise ConnectionError("the local model is not connected")

