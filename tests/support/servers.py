"""Start the real platform in a subprocess for end-to-end tests, on daphne or on uvicorn."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def project_env(**overrides: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "platform"), str(REPO)])
    env.update(overrides)
    return env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True,
                          check=True, timeout=120)


SERVERS = ("daphne", "uvicorn")


def server_command(server: str, port: int) -> list[str]:
    """The documented way to run each supported ASGI server (README, "Deployment")."""
    if server == "daphne":
        return [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"]
    if server == "uvicorn":
        return [sys.executable, "-m", "uvicorn", *uvicorn_args("127.0.0.1", port)]
    raise ValueError(f"unknown server {server!r}; one of {SERVERS}")


def uvicorn_args(host: str, port: int) -> list[str]:
    """uvicorn's arguments as the README, the Dockerfile and docker-compose.yml give them."""
    # uvicorn logs each socket's full path at INFO, and room grants travel in the query string.
    return ["config.asgi:application", "--host", host, "--port", str(port), "--loop", "uvloop",
            "--ws", "config.uvicorn_websocket:RoomWebSocketProtocol", "--lifespan", "off", "--no-access-log",
            "--log-level", "warning"]


@contextlib.contextmanager
def daphne(env: dict[str, str], port: int | None = None, log: Path | None = None) -> Iterator[str]:
    """Serve ``config.asgi:application`` on daphne and yield its base URL once /healthz answers."""
    with server_process(env, port, log) as (base, _proc):
        yield base


@contextlib.contextmanager
def server_process(env: dict[str, str], port: int | None = None, log: Path | None = None, *,
                   server: str = "daphne") -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Serve ``config.asgi:application`` on ``server``; yields the base URL and the process, for tests
    that signal it."""
    port = port or free_port()
    log_path = log or (REPO / ".run" / f"{server}-{port}.log")
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "wb") as out:
        proc = subprocess.Popen(server_command(server, port), cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"{server} exited with {proc.returncode}: {log_path.read_text()[-2000:]}")
                try:
                    if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{server} did not become healthy: {log_path.read_text()[-2000:]}")
                time.sleep(0.1)
            yield base, proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
