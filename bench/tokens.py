"""Token throughput: ours vs livekit-api in-process, and POST /api/token through daphne.

Run: DATABASE_URL=postgres://voice:voice@127.0.0.1:5432/voice REDIS_URL=redis://127.0.0.1:6379/15 \
     .venv/bin/python bench/tokens.py [--seconds 3] [--concurrency 32]

Baselines are measured in the same run: livekit-api's AccessToken/TokenVerifier for the in-process
rows, and GET /healthz (a trivial Django view) on the same daphne for the HTTP row.
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

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "platform"), str(REPO)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://voice:voice@127.0.0.1:5432/voice")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
if not os.environ.get("FIELD_ENCRYPTION_KEYS"):
    from cryptography.fernet import Fernet

    # One throwaway key shared with the daphne child; the bench organization is deleted at the end.
    os.environ["FIELD_ENCRYPTION_KEYS"] = Fernet.generate_key().decode()
    os.environ["SECRET_KEY"] = "bench-" + Fernet.generate_key().decode()
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")


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
    import httpx

    done, errors = 0, 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal done, errors
            while time.perf_counter() < deadline:
                response = await client.request(method, url, headers=headers, content=body)
                if response.status_code in (200, 201):
                    done += 1
                else:
                    errors += 1

        for _ in range(concurrency):  # warm the connections up
            await client.request(method, url, headers=headers, content=body)
        start = time.perf_counter()
        deadline = start + seconds
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return done / (time.perf_counter() - start), errors


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()

    import subprocess

    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=REPO, check=True)
    import logging

    import django

    django.setup()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    from livekit import api as lk

    from rooms.grants import codec
    from rooms.grants.builder import mint
    from rooms.grants.claims import VideoGrant
    from rooms.grants.verifier import verify_access_token
    from tenancy.models import Organization
    from tenancy.services import api_key_create, organization_create
    from tests.support.servers import daphne, project_env

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
        with daphne(env) as base:
            tokens, token_errors = asyncio.run(http_rate(
                f"{base}/api/token", method="POST", seconds=s, concurrency=args.concurrency,
                headers={"Authorization": auth, "Content-Type": "application/json"},
                body=b'{"room_name":"bench-room","participant_identity":"alice"}'))
            health, _ = asyncio.run(http_rate(f"{base}/healthz", method="GET", headers={}, body=b"", seconds=s,
                                              concurrency=args.concurrency))
    finally:
        Organization.objects.filter(pk=org.pk).delete()

    print(f"{'measure':<40} {'ours /s':>12} {'baseline /s':>12} {'ratio':>7}  baseline")
    for name, ours, base_rate in rows:
        print(f"{name:<40} {ours:>12,.0f} {base_rate:>12,.0f} {ours / base_rate:>6.2f}x  livekit-api")
    print(f"{'HTTP POST /api/token (daphne, c=' + str(args.concurrency) + ')':<40} {tokens:>12,.0f} "
          f"{health:>12,.0f} {tokens / health:>6.2f}x  GET /healthz, same daphne")
    if token_errors:
        print(f"warning: {token_errors} token requests did not return 201")


if __name__ == "__main__":
    main()
