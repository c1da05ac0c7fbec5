"""Helpers shared by the benchmarks: the loopback echo provider, client frames, the bare relay's
transforms, latency probes, per-process CPU from /proc, and the environment daphne is started with.

Importing this module puts the repository and ``platform/`` on ``sys.path``; it never imports Django
(``relay.py`` must run without a database). Run as a script (``make bench`` runs ``bench/*.py``) it
does nothing.
"""

from __future__ import annotations

import asyncio
import base64
import json
import multiprocessing
import os
import socket
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import uvloop

REPO = Path(__file__).resolve().parents[1]
for _path in (str(REPO), str(REPO / "platform")):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from lean_websocket import serve_echo  # noqa: E402

FRAME_MS = 20
CLIENT_RATE = 16_000
CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- the echo provider (child process) -------------------------------------------------------------

def _serve_echo(port: int) -> None:
    uvloop.run(serve_echo(port))


def start_echo_provider() -> tuple[multiprocessing.Process, str]:
    """The echo provider (``lean_websocket.EchoProvider``) in its own process, so its CPU is not the
    measured process's; its URL."""
    port = free_port()
    server = multiprocessing.Process(target=_serve_echo, args=(port,), daemon=True, name="echo-provider")
    server.start()
    wait_for_port(port)
    return server, f"ws://127.0.0.1:{port}/v1/realtime"


def wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def stop_process(proc: multiprocessing.Process) -> None:
    proc.terminate()
    proc.join(5)
    if proc.is_alive():
        proc.kill()
        proc.join()


# --- client frames and the bare relay's work -------------------------------------------------------

def frame_json(amplitude: float = 0.2) -> str:
    """One 20 ms PCM16 16 kHz ``client_audio_append``: a 300 Hz tone at ``amplitude`` (0..1)."""
    t = np.arange(CLIENT_RATE * FRAME_MS // 1000) / CLIENT_RATE
    pcm = (amplitude * np.sin(2 * np.pi * 300 * t) * 32767).astype("<i2").tobytes()
    return json.dumps({"type": "client_audio_append", "session_id": "bench", "audio": base64.b64encode(pcm).decode(),
                       "format": {"type": "audio/pcm", "rate": CLIENT_RATE}})


def client_to_provider(raw: str | bytes) -> str:
    """The least a relay does with a client frame: JSON in, base64 decoded and re-encoded, JSON out."""
    event = json.loads(raw)
    pcm = base64.b64decode(event["audio"])
    return json.dumps({"type": "input_audio_buffer.append", "audio": base64.b64encode(pcm).decode()})


def provider_to_client(raw: str | bytes) -> str:
    """The least a relay does with a provider frame, ending as the client event the engine emits."""
    frame = json.loads(raw)
    pcm = base64.b64decode(frame["delta"])
    return json.dumps({"type": "agent_response_audio_delta", "delta": base64.b64encode(pcm).decode(),
                       "format": {"type": "audio/pcm", "rate": 24000}})


class Probe:
    """Per-session latencies; frames come back in order, so the n-th echo answers the n-th frame."""

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


async def paced(send: Any, probe: Probe, frame: str, seconds: float, offset: float) -> None:
    """Send ``frame`` every 20 ms for ``seconds``, from a fixed start (sleeps never accumulate drift)."""
    await asyncio.sleep(offset)
    start = time.perf_counter()
    for i in range(int(seconds * 1000 / FRAME_MS)):
        await asyncio.sleep(max(0.0, start + i * FRAME_MS / 1000 - time.perf_counter()))
        probe.mark_sent()
        await send(frame)


def percentile_ms(seconds: list[float] | np.ndarray, q: float) -> float:
    return float(np.percentile(np.asarray(seconds) * 1000, q)) if len(seconds) else float("nan")


# --- processes ---------------------------------------------------------------------------------------

def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (all its threads), from /proc/<pid>/stat."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2:].split()  # the command name may contain spaces
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime (fields 14 and 15)


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def configure_django_env() -> None:
    """The environment of this process and of the daphne it starts: PostgreSQL and Redis by default,
    throwaway keys (the bench organization is deleted at the end), settings module on the path."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DATABASE_URL", "postgres://voice:voice@127.0.0.1:5432/voice")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
    if not os.environ.get("FIELD_ENCRYPTION_KEYS"):
        from cryptography.fernet import Fernet

        # One throwaway key shared with the daphne child.
        os.environ["FIELD_ENCRYPTION_KEYS"] = Fernet.generate_key().decode()
        os.environ["SECRET_KEY"] = "bench-" + Fernet.generate_key().decode()
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")


def migrate() -> None:
    import subprocess

    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=REPO, check=True)


if __name__ == "__main__":
    pass  # a library for the other benchmarks; `make bench` runs every bench/*.py
