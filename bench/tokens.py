"""Token throughput: ours vs livekit-api in-process, and POST /api/token through each server.

Run: DATABASE_URL=postgres://voice:voice@127.0.0.1:5432/voice REDIS_URL=redis://127.0.0.1:6379/15 \
     .venv/bin/python bench/tokens.py [--seconds 3] [--concurrency 32] [--servers daphne,uvicorn]

Baselines are measured in the same run: livekit-api's AccessToken/TokenVerifier for the in-process
rows, and GET /healthz (a trivial Django view) on the same server for each HTTP row.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

sys.path[:0] = [str(Path(__file__).resolve().parent)]

from _support import configure_django_env, migrate  # noqa: E402

configure_django_env()


def per_second(fn: Callable[[], object], seconds: float) -> float:
    count, start = 0, time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(200):
            fn()
        count += 200
        now = time.perf_counter()
        if now >= deadline:
            return count / (now - start)


async def http_rate(url: str, *, method: str, headers: dict[str, str], body: bytes, seconds: float,
                    concurrency: int) -> tuple[float, int]:
    """Requests/s over ``concurrency`` keep-alive HTTP/1.1 connections, each one request at a time.

    A bare asyncio client rather than httpx: httpx spends more CPU per request than the endpoint
    does, so on a 2-core machine it measured itself."""
    parts = urlsplit(url)
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    request = (f"{method} {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n{head}"
               f"Content-Length: {len(body)}\r\n\r\n").encode() + body
    done, errors = 0, 0
    deadline = 0.0

    async def exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        writer.write(request)
        response = await reader.readuntil(b"\r\n\r\n")
        length = next(int(line.split(b":")[1]) for line in response.split(b"\r\n")
                      if line.lower().startswith(b"content-length:"))
        await reader.readexactly(length)
        return response[9:12] in (b"200", b"201")

    async def worker(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal done, errors
        while time.perf_counter() < deadline:
            if await exchange(reader, writer):
                done += 1
            else:
                errors += 1
        writer.close()

    connections = [await asyncio.open_connection(parts.hostname, parts.port) for _ in range(concurrency)]
    for reader, writer in connections:  # warm up: the first request of a connection pays extra
        await exchange(reader, writer)
    start = time.perf_counter()
    deadline = start + seconds
    await asyncio.gather(*(worker(r, w) for r, w in connections))
    return done / (time.perf_counter() - start), errors


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--servers", type=lambda s: s.split(","), default=["daphne", "uvicorn"],
                        help="ASGI servers to serve the HTTP rows, in the documented way (README, Deployment)")
    args = parser.parse_args()

    migrate()
    import django

    django.setup()
    from livekit import api as lk

    from rooms.grants import codec
    from rooms.grants.builder import mint
    from rooms.grants.claims import VideoGrant
    from rooms.grants.verifier import verify_access_token
    from tenancy.models import Organization
    from tenancy.services import api_key_create, organization_create
    from tests.support.servers import project_env, server_process

    org = organization_create(slug=f"bench-{os.getpid()}", name="Benchmark")
    try:
        issued = api_key_create(organization=org, label="bench")
        key, secret = issued.api_key.key_id, issued.secret
        video = VideoGrant(room_join=True, room="bench-room")
        ours_token = mint(key, secret, identity="alice", name="Alice", video=video)
        sdk_token = (lk.AccessToken(key, secret).with_identity("alice").with_name("Alice")
                     .with_grants(lk.VideoGrants(room_join=True, room="bench-room")).to_jwt())
        verifier = lk.TokenVerifier(key, secret)
        verify_access_token(ours_token)  # warm the key cache, as a running server has it
        s = args.seconds
        rows = [
            ("mint", per_second(lambda: mint(key, secret, identity="alice", name="Alice", video=video), s),
             per_second(lambda: lk.AccessToken(key, secret).with_identity("alice").with_name("Alice")
                        .with_grants(lk.VideoGrants(room_join=True, room="bench-room")).to_jwt(), s)),
            ("verify (codec, secret in hand)", per_second(lambda: codec.decode(ours_token, lambda _: secret), s),
             per_second(lambda: verifier.verify(sdk_token), s)),
            ("verify_access_token (DB key, cached)", per_second(lambda: verify_access_token(ours_token), s),
             per_second(lambda: verifier.verify(sdk_token), s)),
        ]
        env = project_env(TOKEN_RATE_LIMIT_PER_MINUTE="100000000")
        auth = "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()
        http_rows = []
        for server in args.servers:
            with server_process(env, server=server) as (base, _proc):
                tokens, token_errors = asyncio.run(http_rate(
                    f"{base}/api/token", method="POST", seconds=s, concurrency=args.concurrency,
                    headers={"Authorization": auth, "Content-Type": "application/json"},
                    body=b'{"room_name":"bench-room","participant_identity":"alice"}'))
                health, _ = asyncio.run(http_rate(f"{base}/healthz", method="GET", headers={}, body=b"",
                                                  seconds=s, concurrency=args.concurrency))
            http_rows.append((server, tokens, token_errors, health))
    finally:
        Organization.objects.filter(pk=org.pk).delete()

    print(f"{'measure':<40} {'ours /s':>12} {'baseline /s':>12} {'ratio':>7}  baseline")
    for name, ours, base_rate in rows:
        print(f"{name:<40} {ours:>12,.0f} {base_rate:>12,.0f} {ours / base_rate:>6.2f}x  livekit-api")
    for server, tokens, token_errors, health in http_rows:
        print(f"{f'HTTP POST /api/token ({server}, c={args.concurrency})':<40} {tokens:>12,.0f} "
              f"{health:>12,.0f} {tokens / health:>6.2f}x  GET /healthz, same {server}")
        if token_errors:
            print(f"warning: {token_errors} token requests to {server} did not return 201")


if __name__ == "__main__":
    main()
