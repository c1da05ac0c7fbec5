"""The agent bridge driving the offline local model: the exact events a client receives."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from agents.realtime.bridge import AgentBridge
from agents.realtime.conversation import ConversationItem
from agents.realtime.events import parse_client_event
from agents.realtime.models.local import LocalModel
from agents.realtime.spec import AgentSpec, HttpToolConfig, ToolSpec, TurnDetection
from tests.realtime.helpers import (
    CALCULATOR,
    Recorder,
    audio_event,
    frames,
    local_spec,
    silence_pcm,
    tone_pcm,
)
from tests.support.servers import REPO

TURN = ["agent_response_created", "agent_response_audio_done", "agent_response_audio_transcript_done",
        "agent_response_done"]


async def started(spec: AgentSpec, **kwargs: Any) -> tuple[AgentBridge, Recorder, list[ConversationItem]]:
    recorder, items = Recorder(), []

    async def on_item(item: ConversationItem) -> None:
        items.append(item)

    bridge = AgentBridge(spec, recorder, default_urls={}, on_item=on_item, **kwargs)
    assert await bridge.start()
    return bridge, recorder, items


async def send(bridge: AgentBridge, raw: dict[str, Any]) -> None:
    await bridge.handle(parse_client_event(raw))


async def test_it_answers_a_text_turn_with_transcript_and_24khz_audio() -> None:
    bridge, rec, items = await started(local_spec())
    await send(bridge, {"type": "client_text_append", "text": "hello there"})
    done = await rec.wait_for("agent_response_done")
    await bridge.stop("test over")

    assert rec.flow() == ["agent_ready", *TURN, "agent_ended"]
    assert rec.states() == ["listening", "thinking", "speaking", "listening", "ended"]
    deltas = rec.of("agent_response_audio_delta")
    assert deltas and {d["format"]["rate"] for d in deltas} == {24000}
    text = 'Local model heard: "hello there"'
    assert "".join(d["delta"] for d in rec.of("agent_response_audio_transcript_delta")) == text
    assert rec.of("agent_response_audio_transcript_done")[0]["transcript"] == text
    # ~60 ms of audio per character, at 24 kHz 16-bit
    assert rec.audio_bytes(done["response_id"]) == pytest.approx(len(text) * 0.060 * 24000 * 2, rel=0.1)
    assert done["metadata"]["status"] == "completed"
    assert all(e["agent_id"] == "agent-1" and e["agent_name"] == "Friday"
               for e in rec.events if e["type"].startswith("agent_"))
    assert [(i.role, i.text) for i in items] == [("user", "hello there"), ("assistant", text)]
    assert bridge.metrics.first_audio_ms and bridge.metrics.counts["responses"] == 1
    assert rec.of("agent_metrics")[0]["metrics"]["provider_round_trips"] == 1


async def test_it_speaks_the_greeting_first() -> None:
    bridge, rec, items = await started(local_spec(greeting="Hi, I am Friday."))
    await rec.wait_for("agent_response_done")
    await bridge.stop()
    assert rec.flow() == ["agent_ready", *TURN, "agent_ended"]
    assert items[0].role == "assistant" and items[0].text == "Hi, I am Friday."


async def test_it_reports_an_audio_turn_with_vad_timestamps_from_16khz_page_audio() -> None:
    bridge, rec, items = await started(local_spec(turn_detection=TurnDetection(silence_duration_ms=300)))
    audio = silence_pcm(200, 16000) + tone_pcm(1200, 16000) + silence_pcm(500, 16000)
    for chunk in frames(audio, 16000, ms=256):  # the v1 page's ScriptProcessor chunk size
        await send(bridge, audio_event(chunk, 16000))
    await rec.wait_for("agent_response_done")
    await bridge.stop()

    assert rec.flow() == ["agent_ready", "agent_input_started", "agent_input_done",
                          "agent_input_transcription_done", *TURN, "agent_ended"]
    started_ev, done_ev = rec.of("agent_input_started")[0], rec.of("agent_input_done")[0]
    assert started_ev["audio_start_ms"] == pytest.approx(200, abs=20)
    assert done_ev["audio_end_ms"] == pytest.approx(1400, abs=20)
    assert started_ev["item_id"] == done_ev["item_id"]
    transcript = rec.of("agent_input_transcription_done")[0]["transcript"]
    assert transcript.startswith("[1.") and transcript.endswith(" s of audio]")
    assert items[0].role == "user" and items[0].text == transcript


async def test_it_resamples_48khz_client_audio_to_the_model_rate() -> None:
    bridge, rec, _ = await started(local_spec(turn_detection=None))
    await send(bridge, audio_event(tone_pcm(1000, 48000), 48000))
    await send(bridge, {"type": "client_audio_commit"})
    await rec.wait_for("agent_response_done")
    await bridge.stop()
    # one second at 48 kHz arrives at the 16 kHz model as one second, not three
    assert rec.of("agent_input_transcription_done")[0]["transcript"] == "[1.0 s of audio]"


async def test_it_waits_for_commit_in_manual_turn_mode_and_reports_an_empty_commit() -> None:
    bridge, rec, _ = await started(local_spec(turn_detection=None))
    await send(bridge, {"type": "client_audio_commit"})
    error = await rec.wait_for("agent_error")
    assert error["code"] == "input_audio_buffer_commit_empty"
    await send(bridge, audio_event(tone_pcm(500, 16000), 16000))
    await asyncio.sleep(0.1)
    assert not rec.of("agent_response_created")  # no server VAD: nothing until the commit
    await send(bridge, {"type": "client_audio_commit"})
    await rec.wait_for("agent_response_done")
    await bridge.stop()
    assert "agent_input_started" not in rec.flow()


async def test_it_runs_a_python_tool_and_the_model_continues_with_the_result() -> None:
    bridge, rec, items = await started(local_spec(tools=(CALCULATOR,)))
    await send(bridge, {"type": "client_text_append", "text": 'use tool calculator {"expression": "6*7"}'})
    await rec.wait_for("agent_response_done", count=2)
    await bridge.stop()

    assert rec.flow() == ["agent_ready", "agent_response_created", "agent_response_tool_use_done",
                          "agent_response_audio_done", "agent_response_audio_transcript_done",
                          "agent_response_done", "agent_response_tool_result", *TURN, "agent_ended"]
    use = rec.of("agent_response_tool_use_done")[0]["tool_use"]
    assert use["name"] == "calculator" and use["input"] == {"expression": "6*7"}
    assert rec.of("agent_response_tool_use_delta")[-1]["tool_use"]["raw_input"] == '{"expression": "6*7"}'
    result = rec.of("agent_response_tool_result")[0]["tool_result"]
    assert result == {"type": "tool_result", "id": use["id"], "name": "calculator",
                      "output": [{"type": "text", "text": "42"}]}
    assert "calculator returned 42" in rec.of("agent_response_audio_transcript_done")[-1]["transcript"]
    tool_item = next(i for i in items if i.role == "tool")
    assert tool_item.tool_call == {"id": use["id"], "name": "calculator", "arguments": '{"expression": "6*7"}'}
    assert tool_item.tool_result == "42"


async def test_it_returns_invalid_arguments_to_the_model_as_an_error() -> None:
    bridge, rec, _ = await started(local_spec(tools=(CALCULATOR,)))
    await send(bridge, {"type": "client_text_append", "text": 'use tool calculator {"expr": 1}'})
    await rec.wait_for("agent_response_done", count=2)
    await bridge.stop()
    output = rec.of("agent_response_tool_result")[0]["tool_result"]["output"][0]["text"]
    assert "invalid arguments" in json.loads(output)["error"]


@pytest.fixture
def http_tool_server() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    seen: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            seen.append({"body": body, "auth": self.headers.get("X-Api-Key")})
            payload = json.dumps({"city": body.get("city"), "forecast": "sunny " * 2000}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/weather", seen
    server.shutdown()
    thread.join()


async def test_it_calls_an_http_tool_and_truncates_a_long_body(http_tool_server: tuple[str, list[Any]]) -> None:
    url, seen = http_tool_server
    weather = ToolSpec("weather", "Forecast", {"type": "object", "properties": {"city": {"type": "string"}}},
                       kind="http", http=HttpToolConfig(url=url, headers={"X-Api-Key": "test-key"}))
    bridge, rec, _ = await started(local_spec(tools=(weather,)))
    await send(bridge, {"type": "client_text_append", "text": 'use tool weather {"city": "Paris"}'})
    await rec.wait_for("agent_response_done", count=2)
    await bridge.stop()
    assert seen == [{"body": {"city": "Paris"}, "auth": "test-key"}]
    output = rec.of("agent_response_tool_result")[0]["tool_result"]["output"][0]["text"]
    assert output.startswith('{"city": "Paris", "forecast": "sunny')
    assert output.endswith("[truncated at 4000 characters]")
    assert rec.flow()[-6:] == ["agent_response_tool_result", *TURN, "agent_ended"]


CLIENT_TOOL = ToolSpec("pick_color", "Ask the page for the user's colour", {"type": "object", "properties": {}},
                       kind="client")


async def test_it_round_trips_a_client_tool() -> None:
    bridge, rec, _ = await started(local_spec(tools=(CLIENT_TOOL,)))
    await send(bridge, {"type": "client_text_append", "text": "use tool pick_color {}"})
    use = (await rec.wait_for("agent_response_tool_use_done"))["tool_use"]
    await send(bridge, {"type": "client_tool_result", "session_id": "s", "id": use["id"], "name": "pick_color",
                        "output": [{"type": "text", "text": "teal"}]})
    await rec.wait_for("agent_response_done", count=2)
    await send(bridge, {"type": "client_tool_result", "id": use["id"], "name": "pick_color", "output": "late"})
    await bridge.stop()
    assert rec.of("agent_response_tool_result")[0]["tool_result"]["output"][0]["text"] == "teal"
    assert "pick_color returned teal" in rec.of("agent_response_audio_transcript_done")[-1]["transcript"]
    assert rec.of("agent_error")[0]["code"] == "unknown_tool_call"  # a second answer is refused


async def test_it_gives_the_model_an_error_when_the_client_tool_times_out() -> None:
    bridge, rec, _ = await started(local_spec(tools=(CLIENT_TOOL,), client_tool_timeout_s=0.2))
    await send(bridge, {"type": "client_text_append", "text": "use tool pick_color {}"})
    await rec.wait_for("agent_response_done", count=2)
    await bridge.stop()
    output = rec.of("agent_response_tool_result")[0]["tool_result"]["output"][0]["text"]
    assert json.loads(output) == {"error": "the client did not answer within 0.2 s"}


async def test_it_stops_running_tools_past_max_tool_steps() -> None:
    bridge, rec, _ = await started(local_spec(tools=(CALCULATOR,), max_tool_steps=0))
    await send(bridge, {"type": "client_text_append", "text": 'use tool calculator {"expression": "1+1"}'})
    await rec.wait_for("agent_response_done", count=2)
    await bridge.stop()
    output = rec.of("agent_response_tool_result")[0]["tool_result"]["output"][0]["text"]
    assert "tool step limit (0)" in json.loads(output)["error"]


async def test_it_cancels_on_barge_in_truncates_and_tells_the_client_to_flush() -> None:
    spec = local_spec(turn_detection=TurnDetection(silence_duration_ms=300), metadata={"local_speed": "1"})
    bridge, rec, items = await started(spec)
    await send(bridge, {"type": "client_text_append", "text": "tell me a long story about the sea"})
    await rec.wait_for("agent_response_audio_delta", count=3)
    mark = rec.mark()
    for chunk in frames(tone_pcm(400, 16000), 16000, ms=100):
        await send(bridge, audio_event(chunk, 16000))
    cancelled = await rec.wait_for("agent_response_cancelled")
    after_cancel = rec.mark()
    await asyncio.sleep(0.3)
    await bridge.stop()

    assert rec.flow(mark)[:5] == ["agent_input_started", "agent_response_cancelled", "agent_response_audio_done",
                                  "agent_response_audio_transcript_done", "agent_response_done"]
    response_id = cancelled["response_id"]
    assert cancelled["reason"] == "barge_in" and 0 < cancelled["played_ms"] < 2500
    assert [e for e in rec.events[after_cancel:]
            if e["type"] == "agent_response_audio_delta" and e["response_id"] == response_id] == []
    done = next(e for e in rec.of("agent_response_done") if e["response_id"] == response_id)
    assert done["metadata"]["status"] == "cancelled"
    model = bridge.model
    assert isinstance(model, LocalModel) and model.truncations[0][1] == cancelled["played_ms"]
    assert items[-1].role == "assistant" and items[-1].interrupted


async def test_it_honours_client_response_cancel() -> None:
    bridge, rec, _ = await started(local_spec(metadata={"local_speed": "1"}))
    await send(bridge, {"type": "client_text_append", "text": "a reply long enough to interrupt"})
    await rec.wait_for("agent_response_audio_delta", count=2)
    await send(bridge, {"type": "client_response_cancel", "session_id": "session1"})
    await asyncio.sleep(0.3)
    await bridge.stop()
    assert rec.flow() == ["agent_ready", "agent_response_created", "agent_response_cancelled",
                          "agent_response_audio_done", "agent_response_audio_transcript_done",
                          "agent_response_done", "agent_ended"]
    assert rec.of("agent_response_cancelled")[0]["reason"] == "client_cancel"
    assert rec.states()[-2:] == ["listening", "ended"]


async def test_it_reconnects_after_a_provider_drop_and_restores_the_conversation() -> None:
    models: list[LocalModel] = []

    def factory(spec: AgentSpec) -> LocalModel:
        models.append(LocalModel(spec))
        return models[-1]

    bridge, rec, _ = await started(local_spec(), model_factory=factory, reconnect_backoff_s=0.01)
    await send(bridge, {"type": "client_text_append", "text": "remember me"})
    await rec.wait_for("agent_response_done")
    await models[0].drop()
    await rec.wait_for("agent_ready", count=2)
    await send(bridge, {"type": "client_text_append", "text": "still there?"})
    await rec.wait_for("agent_response_done", count=2)
    await bridge.stop()

    assert rec.flow() == ["agent_ready", *TURN, "agent_error", "agent_ready", *TURN, "agent_ended"]
    assert rec.of("agent_error")[0]["code"] == "provider_disconnected"
    assert [(h.role, h.text) for h in models[1].history] == [
        ("user", "remember me"), ("assistant", 'Local model heard: "remember me"')]
    assert bridge.metrics.counts["reconnects"] == 1


async def test_it_ends_the_agent_after_bounded_reconnect_attempts() -> None:
    attempts: list[LocalModel] = []

    def factory(spec: AgentSpec) -> LocalModel:
        refuse = {"local_refuse_connect": "yes"} if attempts else {}
        attempts.append(LocalModel(replace(spec, metadata={**spec.metadata, **refuse})))
        return attempts[-1]

    ended: list[str] = []

    async def on_end(bridge: AgentBridge, reason: str) -> None:
        ended.append(reason)

    bridge, rec, _ = await started(local_spec(), model_factory=factory, reconnect_attempts=2,
                                   reconnect_backoff_s=0.01, on_end=on_end)
    await attempts[0].drop()
    await rec.wait_for("agent_ended")
    assert rec.flow() == ["agent_ready", "agent_error", "agent_error", "agent_ended"]
    assert [e["code"] for e in rec.of("agent_error")] == ["provider_disconnected", "reconnect_failed"]
    assert len(attempts) == 3 and ended == ["provider lost"] and bridge.state == "ended"
    await send(bridge, {"type": "client_text_append", "text": "anyone?"})  # ignored, no crash
    await bridge.stop()  # idempotent


async def test_it_reports_a_failed_start_and_ends() -> None:
    rec = Recorder()
    bridge = AgentBridge(local_spec(metadata={"local_refuse_connect": "1"}), rec, default_urls={})
    assert not await bridge.start()
    assert rec.flow() == ["agent_error", "agent_ended"]
    assert rec.of("agent_error")[0]["code"] == "provider_connect_failed"


async def test_it_leaves_no_task_behind_after_stop() -> None:
    before = asyncio.all_tasks()
    bridge, rec, _ = await started(local_spec(tools=(CLIENT_TOOL,), metadata={"local_speed": "1"}))
    await send(bridge, {"type": "client_text_append", "text": "use tool pick_color {}"})
    await rec.wait_for("agent_response_tool_use_done")
    await bridge.stop()
    await bridge.stop()
    await asyncio.sleep(0)
    assert asyncio.all_tasks() - before == set()
    assert rec.flow().count("agent_ended") == 1


def test_it_runs_without_django() -> None:
    code = ("import sys, importlib.abc\n"
            "class Block(importlib.abc.MetaPathFinder):\n"
            "    def find_spec(self, name, path, target=None):\n"
            "        if name == 'django' or name.startswith('django.'): raise ImportError('django blocked')\n"
            "sys.meta_path.insert(0, Block())\n"
            "import agents.realtime.bridge, agents.realtime.models.local\n"
            "import agents.realtime.tools, agents.realtime.events, agents.realtime.audio\n"
            "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules)\n"
            "print('ok')\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=False,
                            env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
