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
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import websockets

sys.path[:0] = [str(Path(__file__).resolve().parent)]

from _support import (  # noqa: E402
    FRAME_MS,
    Probe,
    client_to_provider,
    frame_json,
    paced,
    provider_to_client,
    start_echo_provider,
    stop_process,
)

from agents.realtime.bridge import AgentBridge  # noqa: E402
from agents.realtime.events import parse_client_event  # noqa: E402
from agents.realtime.spec import AgentSpec  # noqa: E402


async def _paced(send: Any, probe: Probe, seconds: float, offset: float, ready: asyncio.Barrier) -> None:
    await ready.wait()  # every session is connected before anyone streams
    await paced(send, probe, frame_json(), seconds, offset)


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
                provider_to_client(raw)
                probe.mark_received()

        async def send(raw: str) -> None:
            await ws.send(client_to_provider(raw))

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
    server, url = start_echo_provider()
    try:
        results = {mode: asyncio.run(run(mode, url, args.sessions, args.seconds)) for mode in ("bare", "engine")}
    finally:
        stop_process(server)
    print(f"{args.sessions} sessions x {args.seconds:g} s of 20 ms frames (50 frames/s each)")
    print(f"{'relay':<10}{'frames':>9}{'lost':>6}{'p50 us':>10}{'p99 us':>10}{'CPU %':>8}")
    for mode, r in results.items():
        print(f"{mode:<10}{r['frames']:>9}{r['lost']:>6}{r['p50']:>10,.0f}{r['p99']:>10,.0f}{r['cpu']:>8.0f}")
    bare, engine = results["bare"], results["engine"]
    print(f"{'engine/bare':<10}{'':>15}{engine['p50'] / bare['p50']:>10.2f}{engine['p99'] / bare['p99']:>10.2f}"
          f"{engine['cpu'] / max(bare['cpu'], 1e-9):>8.2f}")


if __name__ == "__main__":
    main()
