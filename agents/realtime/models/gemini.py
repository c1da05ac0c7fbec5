"""Gemini Live (BidiGenerateContent) adapter.

Gemini has no response, done or VAD events, so they are synthesized: a response opens at the first
model content (audio, text, transcription or tool call) and closes on ``turnComplete`` (AudioDone,
TranscriptDone, ResponseDone) or on ``interrupted`` (Interrupted, then ResponseDone "interrupted"). A
tool-call message also closes its response, as OpenAI's do; the continuation after ``toolResponse``
opens a new one. User transcription fragments become one InputTranscriptDone when the model turn
starts or the turn completes. Every key of every message and every part is handled (AgentScope v1
defect 11): one message may carry audio, transcription and turnComplete together.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
import uuid
from typing import Any

from agents.realtime import b64
from agents.realtime.models.base import (
    AudioDelta,
    AudioDone,
    GoAway,
    HistoryItem,
    InputTranscriptDelta,
    InputTranscriptDone,
    Interrupted,
    ModelCapabilities,
    ModelConnectError,
    ModelEvent,
    ResponseCreated,
    ResponseDone,
    SessionReady,
    ToolCall,
    TranscriptDelta,
    TranscriptDone,
)
from agents.realtime.models.connection import Frame, WebSocketModel

log = logging.getLogger(__name__)

DEFAULT_MODEL = "gemini-live-2.5-flash-preview"
INPUT_MIME = "audio/pcm;rate=16000"
OUTPUT_RATE = 24000
_RATE = re.compile(r"rate=(\d+)")
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)s$")


class GeminiEventParser:
    """Stateful: one per connection."""

    def __init__(self) -> None:
        self.resumption_handle: str | None = None
        self.cancelled_calls: set[str] = set()
        self._ids = itertools.count(1)
        self._response_id: str | None = None
        self._audio = False
        self._text: list[str] = []
        self._usage: dict[str, Any] = {}
        self._input_id: str | None = None
        self._input_text: list[str] = []

    def parse(self, msg: Frame) -> list[ModelEvent]:
        events: list[ModelEvent] = []
        if "usageMetadata" in msg:
            self._usage = msg.get("usageMetadata") or {}
        if "setupComplete" in msg:
            events.append(SessionReady())
        content = msg.get("serverContent")
        if isinstance(content, dict):
            events += self._server_content(content)
        if "toolCall" in msg:
            events += self._tool_call(msg.get("toolCall") or {})
        if "toolCallCancellation" in msg:
            self.cancelled_calls.update(str(i) for i in (msg.get("toolCallCancellation") or {}).get("ids", []))
        if "goAway" in msg:
            events.append(GoAway(_duration_ms((msg.get("goAway") or {}).get("timeLeft"))))
        update = msg.get("sessionResumptionUpdate")
        if isinstance(update, dict) and update.get("resumable") and update.get("newHandle"):
            self.resumption_handle = str(update["newHandle"])
        return events

    def _server_content(self, content: dict[str, Any]) -> list[ModelEvent]:
        events: list[ModelEvent] = []
        heard = (content.get("inputTranscription") or {}).get("text")
        if heard:
            if self._input_id is None:
                self._input_id = f"gemini-input-{uuid.uuid4().hex[:12]}"
            self._input_text.append(str(heard))
            events.append(InputTranscriptDelta(self._input_id, str(heard)))
        for part in (content.get("modelTurn") or {}).get("parts") or []:
            events += self._part(part)
        said = (content.get("outputTranscription") or {}).get("text")
        if said:
            events += self._open()
            self._text.append(str(said))
            events.append(TranscriptDelta(self._rid, self._item_id, str(said)))
        if content.get("interrupted") and self._response_id is not None:
            rid = self._response_id
            self._close()
            events += [Interrupted(rid), ResponseDone(rid, status="interrupted")]
        if content.get("turnComplete"):
            events += self._flush_input()
            events += self._complete()
        return events

    def _part(self, part: dict[str, Any]) -> list[ModelEvent]:
        if part.get("thought"):
            return []  # reasoning summaries are not speech
        inline = part.get("inlineData")
        if isinstance(inline, dict) and str(inline.get("mimeType", "")).startswith("audio/pcm"):
            events = self._open()
            match = _RATE.search(str(inline.get("mimeType")))
            self._audio = True
            pcm = b64.decode(inline.get("data", ""))
            return [*events, AudioDelta(self._rid, self._item_id, pcm, int(match.group(1)) if match else OUTPUT_RATE)]
        if part.get("text"):
            events = self._open()
            self._text.append(str(part["text"]))
            return [*events, TranscriptDelta(self._rid, self._item_id, str(part["text"]))]
        return []

    def _tool_call(self, call: dict[str, Any]) -> list[ModelEvent]:
        events = self._open()
        for fc in call.get("functionCalls") or []:
            call_id = str(fc.get("id") or f"gemini-call-{next(self._ids)}")
            events.append(ToolCall(self._rid, call_id, call_id, str(fc.get("name", "")),
                                   json.dumps(fc.get("args") or {})))
        return events + self._complete()

    def _open(self) -> list[ModelEvent]:
        if self._response_id is not None:
            return []
        self._response_id = f"gemini-resp-{uuid.uuid4().hex[:12]}"
        return [*self._flush_input(), ResponseCreated(self._response_id)]

    def _complete(self) -> list[ModelEvent]:
        if self._response_id is None:
            return []
        rid, item = self._response_id, self._item_id
        events: list[ModelEvent] = []
        if self._audio:
            events.append(AudioDone(rid, item))
        if self._text:
            events.append(TranscriptDone(rid, item, "".join(self._text)))
        usage = self._usage
        events.append(ResponseDone(rid, "completed", int(usage.get("promptTokenCount") or 0),
                                   int(usage.get("responseTokenCount") or usage.get("candidatesTokenCount") or 0)))
        self._close()
        return events

    def _close(self) -> None:
        self._response_id = None
        self._audio = False
        self._text = []
        self._usage = {}

    def _flush_input(self) -> list[ModelEvent]:
        if self._input_id is None:
            return []
        done = InputTranscriptDone(self._input_id, "".join(self._input_text))
        self._input_id, self._input_text = None, []
        return [done]

    @property
    def _rid(self) -> str:
        return self._response_id or ""

    @property
    def _item_id(self) -> str:
        return f"{self._rid}-item"


def _duration_ms(value: Any) -> int:
    """``goAway.timeLeft`` is a protobuf Duration in JSON ("9.5s")."""
    match = _DURATION.match(str(value or ""))
    return int(float(match.group(1)) * 1000) if match else 0


def _closed_refusal(frame: Frame) -> str | None:
    return None  # Gemini reports errors by closing the socket, which fails the wait by itself


class GeminiLiveModel(WebSocketModel):
    provider_name = "gemini"
    capabilities = ModelCapabilities(input_rate=16000, output_rate=OUTPUT_RATE, text_input=True, image_input=True,
                                     tools=True, truncation="server", server_vad=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._parser = GeminiEventParser()
        self._in_activity = False

    @property
    def resumption_handle(self) -> str | None:
        return self._parser.resumption_handle

    async def connect(self, history: tuple[HistoryItem, ...] = ()) -> None:
        handle = self._parser.resumption_handle  # kept across reconnects of this adapter
        self._parser = GeminiEventParser()
        self._parser.resumption_handle = handle
        self._in_activity = False
        socket = await self._open(self.url, {"x-goog-api-key": self._auth_key()}, self._parser.parse,
                                  _closed_refusal)
        try:
            ready = socket.expect(lambda frame: "setupComplete" in frame, what="setupComplete")
            await self._send({"setup": self._setup(handle)})
            await ready
        except ModelConnectError as exc:
            await self._fail_connect(exc)
        if history and handle is None:  # a resumed session already has its context
            await self._send({"clientContent": {"turns": [
                {"role": "model" if item.role == "assistant" else "user",
                 "parts": [{"text": item.text if item.role != "tool" else f"Tool result: {item.text}"}]}
                for item in history], "turnComplete": False}})

    def _setup(self, handle: str | None) -> dict[str, Any]:
        spec = self.spec
        model = spec.model or DEFAULT_MODEL
        generation: dict[str, Any] = {"responseModalities": ["AUDIO"]}
        if spec.voice:
            generation["speechConfig"] = {"voiceConfig": {"prebuiltVoiceConfig": {"voiceName": spec.voice}}}
        if spec.temperature is not None:
            generation["temperature"] = spec.temperature
        if spec.max_output_tokens:
            generation["maxOutputTokens"] = spec.max_output_tokens
        if spec.turn_detection is None:
            detection: dict[str, Any] = {"disabled": True}
        else:
            detection = {"disabled": False, "prefixPaddingMs": spec.turn_detection.prefix_padding_ms,
                         "silenceDurationMs": spec.turn_detection.silence_duration_ms}
        setup: dict[str, Any] = {
            "model": model if model.startswith("models/") else f"models/{model}",
            "generationConfig": generation,
            "systemInstruction": {"parts": [{"text": spec.instructions}]},
            "outputAudioTranscription": {},
            "realtimeInputConfig": {"automaticActivityDetection": detection},
            "sessionResumption": {"handle": handle} if handle else {},
        }
        if spec.input_transcription:
            setup["inputAudioTranscription"] = {}
        if spec.tools:
            setup["tools"] = [{"functionDeclarations": [
                {"name": t.name, "description": t.description, "parameters": t.parameters} for t in spec.tools]}]
        return setup

    @property
    def _manual(self) -> bool:
        return self.spec.turn_detection is None

    async def send_audio(self, pcm: bytes) -> None:
        if self._manual and not self._in_activity:
            self._in_activity = True
            await self._send({"realtimeInput": {"activityStart": {}}})
        # Written out, not json.dumps'd: 50 frames a second per session, and base64 needs no escaping.
        data = b64.encode(pcm)
        await self._send(f'{{"realtimeInput":{{"audio":{{"mimeType":"{INPUT_MIME}","data":"{data}"}}}}}}')

    async def send_text(self, text: str) -> None:
        await self._send({"clientContent": {"turns": [{"role": "user", "parts": [{"text": text}]}],
                                            "turnComplete": True}})

    async def send_image(self, data_b64: str, mime_type: str = "image/jpeg") -> None:
        await self._send({"realtimeInput": {"video": {"mimeType": mime_type, "data": data_b64}}})

    async def commit_audio(self) -> None:
        if self._manual and self._in_activity:
            self._in_activity = False
            await self._send({"realtimeInput": {"activityEnd": {}}})  # the model answers by itself
        elif self._manual:
            await self.create_response()
        else:
            await self._send({"realtimeInput": {"audioStreamEnd": True}})

    async def create_response(self) -> None:
        await self._send({"clientContent": {"turnComplete": True}})

    async def send_tool_result(self, call_id: str, name: str, output: str, *, last: bool = True) -> None:
        if call_id in self._parser.cancelled_calls:
            log.info("gemini: result for cancelled call %s not sent", call_id)
            return
        try:
            parsed = json.loads(output)
        except ValueError:
            parsed = None
        response = parsed if isinstance(parsed, dict) else {"output": output}
        await self._send({"toolResponse": {"functionResponses": [{"id": call_id, "name": name,
                                                                   "response": response}]}})

    async def cancel_response(self) -> None:
        return None  # interruption is user activity; the server trims its own context

    async def truncate(self, item_id: str, played_ms: int) -> None:
        return None  # truncation "server"
