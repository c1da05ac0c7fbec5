"""CPU per provider message on the platform's provider sockets, beside the ``websockets`` library's own
client connection, in the same run.

    .venv/bin/python bench/provider_socket.py [--connections 100] [--seconds 5] [--rounds 2]

A provider in a child process (so its CPU is not counted) holds ``--connections`` sockets. Two
phases, each measured as this process's CPU time over ``--seconds``, divided by the messages moved:

* receive: the provider sends every socket one OpenAI-shaped audio delta (1.3 KB of JSON) every
  20 ms, as a speaking agent does; this process reads and ``json.loads`` each one.
* send: this process sends every socket one audio append (20 ms of 24 kHz PCM16 as base64 JSON) every
  20 ms, as a listening agent's session does; the provider discards them.

Paths: ``ProviderSocket`` (``ProviderConnection.next_message`` and the directly written frames of
``client_frames``), and the library's ``ClientConnection`` (``async for`` and ``send``). The paths
alternate for ``--rounds`` rounds, each going first in every other round, so the machine's drift
shows as the spread between rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import multiprocessing
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection, connect

sys.path[:0] = [str(Path(__file__).resolve().parent)]

from _support import FRAME_MS, free_port, stop_process, wait_for_port  # noqa: E402

from agents.realtime.models.connection import ProviderSocket  # noqa: E402

PCM_20MS_24K = bytes(960)
DELTA = json.dumps({"type": "response.output_audio.delta", "response_id": "resp_bench", "item_id": "item_bench",
                    "output_index": 0, "content_index": 0, "delta": base64.b64encode(PCM_20MS_24K).decode(),
                    "event_id": "ev_bench"})
APPEND = json.dumps({"type": "input_audio_buffer.append", "audio": base64.b64encode(PCM_20MS_24K).decode()})


# --- the provider (child process) ------------------------------------------------------------------

def _serve(port: int) -> None:
    streams: set[Any] = set()

    async def handler(ws: Any) -> None:
        if ws.request.path == "/stream":
            streams.add(ws)
        try:
            async for _ in ws:
                pass
        finally:
            streams.discard(ws)

    async def pace() -> None:
        next_at = time.monotonic()
        while True:
            next_at += FRAME_MS / 1000
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            for ws in list(streams):
                try:
                    await ws.send(DELTA)
                except websockets.ConnectionClosed:
                    streams.discard(ws)

    async def main() -> None:
        async with websockets.serve(handler, "127.0.0.1", port, compression=None, max_size=None):
            await pace()

    asyncio.run(main())


# --- the two client paths ---------------------------------------------------------------------------

class SocketPath:
    """One client path: open a socket, read every message, send one."""

    name = ""

    async def open(self, url: str) -> None:
        raise NotImplementedError

    async def read(self, count: Callable[[], None]) -> None:
        raise NotImplementedError

    def sender(self) -> Callable[[str], Awaitable[None]]:
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError


class Ours(SocketPath):
    name = "ProviderSocket"

    async def open(self, url: str) -> None:
        self.socket = ProviderSocket(self._parse, name="bench")
        await self.socket.open(url, {})
        self._count: Callable[[], None] = lambda: None

    def _parse(self, frame: dict[str, Any]) -> list[Any]:
        self._count()
        return []

    async def read(self, count: Callable[[], None]) -> None:
        self._count = count
        async for _ in self.socket.events():
            pass

    def sender(self) -> Callable[[str], Awaitable[None]]:
        return self.socket.send

    async def close(self) -> None:
        await self.socket.close()


class Library(SocketPath):
    name = "websockets ClientConnection"

    async def open(self, url: str) -> None:
        self.ws: ClientConnection = await connect(url, compression=None, max_size=16 * 1024 * 1024)

    async def read(self, count: Callable[[], None]) -> None:
        try:
            async for raw in self.ws:
                if isinstance(json.loads(raw), dict):  # what ProviderSocket does with every frame
                    count()
        except websockets.ConnectionClosed:
            pass

    def sender(self) -> Callable[[str], Awaitable[None]]:
        return self.ws.send

    async def close(self) -> None:
        await self.ws.close()


async def phase(kind: type[SocketPath], base: str, connections: int, seconds: float, sending: bool) -> float:
    """CPU µs per message moved in one phase."""
    paths = [kind() for _ in range(connections)]
    await asyncio.gather(*(p.open(base + ("/quiet" if sending else "/stream")) for p in paths))
    received = 0

    def count() -> None:
        nonlocal received
        received += 1

    readers = [asyncio.create_task(p.read(count)) for p in paths]
    senders = [p.sender() for p in paths]
    sent = 0
    await asyncio.sleep(1.0)  # warm up: every socket flowing
    start_cpu, start_received = time.process_time(), received
    deadline = time.monotonic() + seconds
    next_at = time.monotonic()
    while time.monotonic() < deadline:
        if sending:
            for send in senders:
                await send(APPEND)
            sent += len(senders)
        next_at += FRAME_MS / 1000
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))
    cpu = time.process_time() - start_cpu
    moved = sent if sending else received - start_received
    await asyncio.gather(*(p.close() for p in paths))
    for task in readers:
        task.cancel()
    await asyncio.gather(*readers, return_exceptions=True)
    return cpu / max(moved, 1) * 1e6


async def run(connections: int, seconds: float, rounds: int) -> None:
    port = free_port()
    provider = multiprocessing.Process(target=_serve, args=(port,), daemon=True, name="provider")
    provider.start()
    wait_for_port(port)
    base = f"ws://127.0.0.1:{port}"
    results: dict[str, dict[str, list[float]]] = {}
    try:
        for round_ in range(rounds):
            for kind in (Library, Ours) if round_ % 2 == 0 else (Ours, Library):  # neither always first
                row = results.setdefault(kind.name, {"receive": [], "send": []})
                row["receive"].append(await phase(kind, base, connections, seconds, sending=False))
                row["send"].append(await phase(kind, base, connections, seconds, sending=True))
    finally:
        stop_process(provider)
    print(f"{connections} sockets, one message each every {FRAME_MS} ms, {seconds:g} s a phase, {rounds} round(s)")
    print(f"{'path':30} {'receive µs CPU/msg':>22} {'send µs CPU/msg':>18}")
    for name, row in results.items():
        print(f"{name:30} {_span(row['receive']):>22} {_span(row['send']):>18}")


def _span(values: list[float]) -> str:
    return f"{min(values):.1f}" if len(values) == 1 else f"{min(values):.1f}-{max(values):.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    asyncio.run(run(args.connections, args.seconds, args.rounds))


if __name__ == "__main__":
    main()
