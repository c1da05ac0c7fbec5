"""Per-frame latency the engine adds when relaying audio, beside a bare ``websockets`` relay.

    .venv/bin/python bench/relay.py [--sessions 100] [--seconds 10]

Both modes run in this process against the same loopback OpenAI-shaped echo server, which runs in a
child process (so its CPU is not ours) and streams every appended audio chunk straight back as
``response.output_audio.delta``. Each session sends a 20 ms PCM16 frame every 20 ms, in real time.

* engine: the client frame (16 kHz, as the AgentScope page sends) is parsed as a client event,
  resampled to 24 kHz, sent by the OpenAI adapter; the echo is parsed by the adapter and turned into
  an ``agent_response_audio_delta`` by ``AgentBridge``.
* bare: JSON in, base64 out, ``websockets`` send; receive, JSON and base64 back into a client event.

Latency = client frame handed over -> its echoed client event emitted (frames are FIFO per session).
CPU = this process's CPU time / wall time (100% = one core).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import multiprocessing
import socket
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import websockets

sys.path[:0] = [str(Path(__file__).resolve().parents[1])]

from agents.realtime.bridge import AgentBridge  # noqa: E402
from agents.realtime.events import parse_client_event  # noqa: E402
from agents.realtime.spec import AgentSpec  # noqa: E402

FRAME_MS = 20
CLIENT_RATE = 16_000


# --- the echo provider (child process) -------------------------------------------------------------

async def _echo(ws: Any) -> None:
    await ws.send(json.dumps({"type": "session.created", "session": {"id": "sess_bench"}}))
    n = 0
    async for raw in ws:
        frame = json.loads(raw)
        kind = frame.get("type")
        if kind == "session.update":
            await ws.send(json.dumps({"type": "session.updated", "session": frame.get("session", {})}))
            await ws.send(json.dumps({"type": "response.created", "response": {"id": "resp_bench"}}))
        elif kind == "input_audio_buffer.append":
            n += 1
            await ws.send(json.dumps({"type": "response.output_audio.delta", "response_id": "resp_bench",
                                      "item_id": "item_bench", "output_index": 0, "content_index": 0,
                                      "delta": frame["audio"], "event_id": f"ev_{n}"}))


def _serve(port: int) -> None:
    async def main() -> None:
        async with websockets.serve(_echo, "127.0.0.1", port, compression=None, max_size=None):
            await asyncio.Future()

    asyncio.run(main())


# --- sessions ----------------------------------------------------------------------------------------

def _frame_json() -> str:
    t = np.arange(CLIENT_RATE * FRAME_MS // 1000) / CLIENT_RATE
    pcm = (0.2 * np.sin(2 * np.pi * 300 * t) * 32767).astype("<i2").tobytes()
    return json.dumps({"type": "client_audio_append", "session_id": "bench", "audio": base64.b64encode(pcm).decode(),
                       "format": {"type": "audio/pcm", "rate": CLIENT_RATE}})


class Probe:
    def __init__(self) -> None:
        self.sent: list[float] = []
        self.got = 0
        self.latencies: list[float] = []

    def mark_sent(self) -> None:
        self.sent.append(time.perf_counter())

    def mark_received(self) -> None:
        if self.got < len(self.sent):
            self.latencies.append(time.perf_counter() - self.sent[self.got])
        self.got += 1


async def _paced(send: Any, probe: Probe, seconds: float, offset: float, ready: asyncio.Barrier) -> None:
    frame = _frame_json()
    await ready.wait()  # every session is connected before anyone streams
    await asyncio.sleep(offset)
    start = time.perf_counter()
    for i in range(int(seconds * 1000 / FRAME_MS)):
        await asyncio.sleep(max(0.0, start + i * FRAME_MS / 1000 - time.perf_counter()))
        probe.mark_sent()
        await send(frame)


async def engine_session(url: str, seconds: float, offset: float, probe: Probe, ready: asyncio.Barrier) -> None:
    async def emit(event: dict[str, Any]) -> None:
        if event["type"] == "agent_response_audio_delta":
            json.dumps(event)  # what the consumer would put on the socket
            probe.mark_received()

    spec = AgentSpec("bench", "Bench", "echo", provider="openai", api_key="bench-key", base_url=url,
                     turn_detection=None, input_transcription=False)
    bridge = AgentBridge(spec, emit, default_urls={})
    assert await bridge.start()

    async def send(raw: str) -> None:
        await bridge.handle(parse_client_event(raw))

    await _paced(send, probe, seconds, offset, ready)
    await asyncio.sleep(0.5)
    await bridge.stop()


async def bare_session(url: str, seconds: float, offset: float, probe: Probe, ready: asyncio.Barrier) -> None:
    async with websockets.connect(url, compression=None, max_size=None) as ws:
        await ws.recv()  # session.created
        await ws.send(json.dumps({"type": "session.update", "session": {}}))
        await ws.recv()
        await ws.recv()

        async def receive() -> None:
            async for raw in ws:
                frame = json.loads(raw)
                pcm = base64.b64decode(frame["delta"])
                json.dumps({"type": "agent_response_audio_delta", "delta": base64.b64encode(pcm).decode(),
                            "format": {"type": "audio/pcm", "rate": 24000}})
                probe.mark_received()

        async def send(raw: str) -> None:
            event = json.loads(raw)
            pcm = base64.b64decode(event["audio"])
            await ws.send(json.dumps({"type": "input_audio_buffer.append", "audio": base64.b64encode(pcm).decode()}))

        reader = asyncio.create_task(receive())
        try:
            await _paced(send, probe, seconds, offset, ready)
            await asyncio.sleep(0.5)
        finally:
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)


async def run(mode: str, url: str, sessions: int, seconds: float) -> dict[str, float]:
    probes = [Probe() for _ in range(sessions)]
    runner = engine_session if mode == "engine" else bare_session
    ready = asyncio.Barrier(sessions + 1)
    work = asyncio.gather(*(runner(url, seconds, i * FRAME_MS / 1000 / sessions, p, ready)
                            for i, p in enumerate(probes)))
    await ready.wait()
    cpu, wall = time.process_time(), time.perf_counter()
    await work
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    lat = np.array([x for p in probes for x in p.latencies]) * 1e6
    sent = sum(len(p.sent) for p in probes)
    return {"frames": sent, "lost": sent - len(lat), "p50": float(np.percentile(lat, 50)),
            "p99": float(np.percentile(lat, 99)), "cpu": 100 * cpu / wall}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = multiprocessing.Process(target=_serve, args=(port,), daemon=True)
    server.start()
    time.sleep(1.0)
    url = f"ws://127.0.0.1:{port}/v1/realtime"
    try:
        results = {mode: asyncio.run(run(mode, url, args.sessions, args.seconds)) for mode in ("bare", "engine")}
    finally:
        server.terminate()
        server.join()
    print(f"{args.sessions} sessions x {args.seconds:g} s of 20 ms frames (50 frames/s each)")
    print(f"{'relay':<10}{'frames':>9}{'lost':>6}{'p50 us':>10}{'p99 us':>10}{'CPU %':>8}")
    for mode, r in results.items():
        print(f"{mode:<10}{r['frames']:>9}{r['lost']:>6}{r['p50']:>10,.0f}{r['p99']:>10,.0f}{r['cpu']:>8.0f}")
    bare, engine = results["bare"], results["engine"]
    print(f"{'engine/bare':<10}{'':>15}{engine['p50'] / bare['p50']:>10.2f}{engine['p99'] / bare['p99']:>10.2f}"
          f"{engine['cpu'] / max(bare['cpu'], 1e-9):>8.2f}")


if __name__ == "__main__":
    main()
