"""Realtime sessions end to end through the server and the room consumer, beside a bare relay; and the CPU
a ChatRoom of 3 agents and 20 listeners costs.

    DATABASE_URL=postgres://voice:voice@127.0.0.1:5432/voice REDIS_URL=redis://127.0.0.1:6379/15 \\
        .venv/bin/python bench/rooms_e2e.py [sessions|chatroom|all] [--sweep 50,100,200] [--seconds 5]
        [--servers daphne,uvicorn] [--client-procs 1] [--profile] [--chat-seconds 20] [--listeners 20] [--floor free]

Each server in ``--servers`` (by default daphne and uvicorn, the two the README documents) runs one
process serving ``config.asgi:application`` (PostgreSQL, channels-redis, Celery tasks queued on a
throwaway queue); the chatroom mode uses the first. A bench organization, API key, ``openai`` credential and agents are created through
the services and deleted at the end.

**sessions**: every session is its own room (one person, one agent whose ``openai`` credential points at
a loopback echo provider, in a child process, that streams every appended chunk straight back). A client
streams 20 ms PCM16 16 kHz ``client_audio_append`` frames in real time and times each frame until its
``agent_response_audio_delta`` arrives (FIFO per session). Path: client -> server (consumer, room, floor,
barge-in VAD, bridge, 16->24 kHz resampler, OpenAI adapter) -> echo -> server -> client. The frames are
a quiet tone (below the room's barge-in VAD): a loud one makes the person interrupt the agent's open
response, after which the echo provider's audio is rightly dropped.
Baseline, same run: a bare ``websockets`` relay in its own process, one provider socket per client, doing
JSON+base64 in and out (``_support.client_to_provider`` / ``provider_to_client``): the same hops and
processes. Latency is the client's round trip; both paths share the echo provider, so the difference is
what the platform adds. CPU % is per process (100% = one core); the clients run in ``--client-procs``
processes on the same 2 cores, so their CPU is shown too. The clients and the echo provider are lean
asyncio protocols on uvloop (``lean_websocket.py``) and one loop paces all of a process's sessions, so
the load leaves the server under test as much of the machine as it can. The sweep stops once both paths exceed
p99 50 ms. ``--profile`` reruns the first server's largest step with py-spy attached to it (py-spy must be
installed) and prints its hottest functions.

**chatroom**: a room config with 3 local-model agents (real-time pace, floor ``--floor``), one host who
says one line to open the conversation, and ``--listeners`` people without publish rights. Agents then
answer each other (their final transcripts reach the others as text). Reported: the server's CPU seconds
per second of conversation, events/s and bytes/s delivered to listeners. Baselines, same run: the same
server with the same sockets connected and nobody talking, and a bare ``websockets`` server replaying
the exact events one listener received, at their recorded times, to the same number of sockets (the
floor any server pays to deliver those bytes).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

import uvloop
import websockets

sys.path[:0] = [str(Path(__file__).resolve().parent)]

from _support import (  # noqa: E402
    FRAME_MS,
    Probe,
    client_to_provider,
    configure_django_env,
    cpu_seconds,
    frame_json,
    free_port,
    load_average,
    migrate,
    percentile_ms,
    provider_to_client,
    start_echo_provider,
    stop_process,
    wait_for_port,
)
from lean_websocket import TEXT, LeanClient, connect, frame  # noqa: E402

configure_django_env()

QUIET = 0.01  # RMS 0.007: under the room VAD's 0.02, so the person never barges in on the echo agent
ORIGIN = "http://127.0.0.1"  # the platform's origin check refuses sockets without one
P99_BUDGET_MS = 50.0
AUDIO_TAG = b'"agent_response_audio_delta"'
ERROR_TAGS = (b'"server_error"', b'"agent_error"')


# --- the bare relay (child process) ------------------------------------------------------------------

async def _bare_relay(client: Any, provider_url: str) -> None:
    async with websockets.connect(provider_url, compression=None, max_size=None) as provider:
        await provider.recv()  # session.created
        await provider.send(json.dumps({"type": "session.update", "session": {}}))
        await provider.recv()  # session.updated
        await provider.recv()  # response.created
        await client.send('{"type":"server_session_created"}')

        async def downstream() -> None:
            async for raw in provider:
                await client.send(provider_to_client(raw))

        task = asyncio.create_task(downstream())
        try:
            async for raw in client:
                await provider.send(client_to_provider(raw))
        finally:
            task.cancel()


def _serve_bare(port: int, provider_url: str) -> None:
    async def main() -> None:
        async with websockets.serve(lambda ws: _bare_relay(ws, provider_url), "127.0.0.1", port,
                                    compression=None, max_size=None):
            await asyncio.Future()

    asyncio.run(main())


def start_bare_relay(provider_url: str) -> tuple[multiprocessing.Process, str]:
    port = free_port()
    proc = multiprocessing.Process(target=_serve_bare, args=(port, provider_url), daemon=True, name="bare-relay")
    proc.start()
    wait_for_port(port)
    return proc, f"ws://127.0.0.1:{port}/"


# --- load clients (child processes) ------------------------------------------------------------------

@dataclass
class ClientShare:
    urls: list[str]
    first: int  # session i of this share is global session first + i * stride: sends spread over 20 ms
    stride: int
    total: int
    seconds: float
    end_session: bool  # platform rooms are ended by their person; the bare relay just closes


class _Session:
    """One client socket of the load: times its frames' echoes and counts the errors it is sent."""

    def __init__(self, errors: Counter[str]) -> None:
        self.probe = Probe()
        self.errors = errors
        self.started = asyncio.get_running_loop().create_future()
        self.socket: LeanClient | None = None

    def on_text(self, raw: bytes) -> None:
        if AUDIO_TAG in raw:  # a substring test: the client must stay cheap on a 2-core machine
            self.probe.mark_received()
        elif any(tag in raw for tag in ERROR_TAGS):
            event = json.loads(raw)
            self.errors[event.get("code") or event.get("error_type", "?")] += 1
        elif not self.started.done() and b'"server_session_created"' in raw:
            self.started.set_result(None)

    async def open(self, url: str, gate: asyncio.Semaphore) -> None:
        async with gate:  # a few handshakes at a time: room creation is serialised on the server's ORM thread
            self.socket = await connect(url, self.on_text, origin=ORIGIN)
            await asyncio.wait({self.started, self.socket.closed}, timeout=120,
                               return_when=asyncio.FIRST_COMPLETED)
            if not self.started.done():
                raise RuntimeError(f"closed before the session started: {self.socket.close_code}")


async def _stream(schedule: list[tuple[float, Probe, LeanClient]], data: bytes, seconds: float) -> None:
    """Every session sends ``data`` every 20 ms from its offset in ``schedule`` (ascending). One loop
    paces them all, waking once for whatever falls due within the next millisecond: a timer per
    session and frame cost the client process more CPU than its sockets."""
    start = time.perf_counter()
    for k in range(int(seconds * 1000 / FRAME_MS)):
        for offset, probe, socket in schedule:
            wait = start + k * FRAME_MS / 1000 + offset - time.perf_counter()
            if wait > 0.001:
                await asyncio.sleep(wait)
            probe.mark_sent()
            socket.write(data)


async def _clients(share: ClientShare, start: Barrier, done: Barrier) -> dict[str, Any]:
    gate = asyncio.Semaphore(16)
    errors: Counter[str] = Counter()
    sessions = [_Session(errors) for _ in share.urls]
    await asyncio.gather(*(s.open(url, gate) for s, url in zip(sessions, share.urls, strict=True)))
    data = frame(TEXT, frame_json(QUIET).encode(), mask=True)  # masked once: see lean_websocket
    await asyncio.to_thread(start.wait)
    cpu = time.process_time()
    slot = FRAME_MS / 1000 / share.total
    schedule = []
    for i, s in enumerate(sessions):
        assert s.socket is not None
        schedule.append(((share.first + i * share.stride) * slot, s.probe, s.socket))
    await _stream(schedule, data, share.seconds)
    cpu = time.process_time() - cpu
    await asyncio.to_thread(done.wait)
    await asyncio.sleep(1.0)  # late echoes still count; after this a frame is lost
    probes = [s.probe for s in sessions]
    got = [p.got for p in probes]  # frozen here: what arrives while closing is not counted
    for s in sessions:
        assert s.socket is not None
        if share.end_session:
            s.socket.write(frame(TEXT, b'{"type":"client_session_end"}', mask=True))
    await asyncio.gather(*(s.socket.close() for s in sessions if s.socket is not None), return_exceptions=True)
    return {"latencies": [x for p in probes for x in p.latencies], "sent": sum(len(p.sent) for p in probes),
            "got": sum(min(g, len(p.sent)) for g, p in zip(got, probes, strict=True)), "cpu": cpu,
            "errors": dict(errors)}


def _client_process(share: ClientShare, start: Barrier, done: Barrier, out: Connection) -> None:
    try:
        out.send(uvloop.run(_clients(share, start, done)))
    except BaseException as exc:
        start.abort()
        done.abort()
        out.send({"error": repr(exc)})


@dataclass
class Step:
    path: str
    sessions: int
    sent: int = 0
    lost: int = 0
    p50: float = 0.0
    p99: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)  # process name -> % of one core
    errors: dict[str, int] = field(default_factory=dict)

    @property
    def within_budget(self) -> bool:
        return self.p99 <= P99_BUDGET_MS and self.lost <= self.sent * 0.001


def run_load(path: str, urls: list[str], seconds: float, procs: int, watched: dict[str, int],
             end_session: bool, on_start: Callable[[], object] | None = None) -> Step:
    """Stream from ``procs`` client processes; CPU of ``watched`` processes over the streaming window
    (``on_start`` runs as it opens, once every session is connected)."""
    procs = max(1, min(procs, len(urls)))
    start, done = multiprocessing.Barrier(procs + 1), multiprocessing.Barrier(procs + 1)
    children, pipes = [], []
    for k in range(procs):
        share = ClientShare(urls[k::procs], k, procs, len(urls), seconds, end_session)
        receiver, sender = multiprocessing.Pipe(duplex=False)
        child = multiprocessing.Process(target=_client_process, args=(share, start, done, sender), daemon=True)
        child.start()
        children.append(child)
        pipes.append(receiver)
    try:
        start.wait(timeout=300)
        if on_start is not None:
            on_start()
        before, wall = {n: cpu_seconds(p) for n, p in watched.items()}, time.perf_counter()
        done.wait(timeout=seconds + 120)
        after, wall = {n: cpu_seconds(p) for n, p in watched.items()}, time.perf_counter() - wall
    except Exception:
        raise RuntimeError(f"clients failed: {[p.recv() for p in pipes if p.poll(5)]}") from None
    results = [p.recv() for p in pipes]
    for child in children:
        child.join(30)
    failed = [r["error"] for r in results if "error" in r]
    if failed:
        raise RuntimeError(f"clients failed: {failed}")
    latencies = [x for r in results for x in r["latencies"]]
    sent = sum(r["sent"] for r in results)
    step = Step(path, len(urls), sent, sent - sum(r["got"] for r in results),
                percentile_ms(latencies, 50), percentile_ms(latencies, 99))
    step.cpu = {n: 100 * (after[n] - before[n]) / wall for n in watched}
    step.cpu["clients"] = 100 * sum(r["cpu"] for r in results) / wall
    step.errors = dict(sum((Counter(r["errors"]) for r in results), Counter()))
    return step


def wait_idle(servers: dict[str, Server], timeout: float = 90.0) -> None:
    """Let the previous step's backlog drain and its rooms end before the next step measures: on two
    cores a busy server would steal CPU from the next step's server."""
    for name, server in servers.items():
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            before = cpu_seconds(server.pid)
            time.sleep(0.5)
            if cpu_seconds(server.pid) - before < 0.05:
                break
        else:
            print(f"warning: {name} still busy {timeout:g} s after the step", flush=True)


# --- the platform side: provisioning, servers -----------------------------------------------------------

@dataclass
class Server:
    ws_base: str
    pid: int


@dataclass
class Bench:
    key: str
    secret: str
    organization_id: int
    chat_room: str
    queue: str


def provision(echo_url: str, floor: str) -> Bench:
    from agents.services.agents import agent_create
    from agents.services.credentials import provider_credential_create
    from rooms.services.config import room_config_create
    from tenancy.services import api_key_create, organization_create

    org = organization_create(slug=f"bench-rooms-{os.getpid()}", name="Rooms benchmark")
    issued = api_key_create(organization=org, label="bench")
    credential = provider_credential_create(organization=org, name="echo", provider="openai", api_key="bench",
                                            base_url=echo_url)
    # Manual turns, no input transcription: the echo provider has neither VAD nor transcripts.
    agent_create(organization=org, name="Echo", slug="echo", provider="openai", credential=credential,
                 turn_detection="manual", input_transcription=False, is_default=True)
    talkers = [agent_create(organization=org, name=name, slug=name.lower(), provider="local", turn_detection="manual")
               for name in ("Ada", "Bob", "Cyd")]
    room_config_create(organization=org, name="Bench chat", slug="bench-chat", floor_policy=floor, agents=talkers,
                       departure_timeout=1)
    return Bench(issued.api_key.key_id, issued.secret, org.pk, "bench-chat", f"bench-rooms-{os.getpid()}")


def unprovision(bench: Bench) -> None:
    import redis
    from django.conf import settings

    from agents.models import Agent, ProviderCredential
    from rooms.models import Room, RoomConfig
    from tenancy.models import Organization

    # Agents and credentials are PROTECTed from a plain cascade: delete in dependency order.
    Room.objects.filter(organization_id=bench.organization_id).delete()
    RoomConfig.objects.filter(organization_id=bench.organization_id).delete()
    Agent.objects.filter(organization_id=bench.organization_id).delete()
    ProviderCredential.objects.filter(organization_id=bench.organization_id).delete()
    Organization.objects.filter(pk=bench.organization_id).delete()
    redis.Redis.from_url(settings.REDIS_URL).delete(bench.queue)  # transcript tasks nobody will run


def token(bench: Bench, room: str, identity: str, *, publish: bool = True) -> str:
    from rooms.grants.builder import mint
    from rooms.grants.claims import VideoGrant

    video = VideoGrant(room_join=True, room=room, can_publish=publish, can_publish_data=publish)
    return mint(bench.key, bench.secret, identity=identity, video=video)


# --- sessions mode --------------------------------------------------------------------------------------

def sessions_mode(bench: Bench, servers: dict[str, Server], echo: multiprocessing.Process, echo_url: str,
                  args: argparse.Namespace) -> None:
    bare, bare_url = start_bare_relay(echo_url)
    steps: list[Step] = []
    try:
        for n in args.sweep:
            for path in ("bare", *servers):
                if path == "bare":
                    urls, watched = [bare_url] * n, {"server": bare.pid, "echo": echo.pid}
                else:
                    urls = [f"{servers[path].ws_base}/ws/room?access_token={token(bench, f'{path}{n}-{i}', 'p')}"
                            for i in range(n)]
                    watched = {"server": servers[path].pid, "echo": echo.pid}
                assert all(watched.values())
                steps.append(run_load(path, urls, args.seconds, args.client_procs, watched,  # type: ignore[arg-type]
                                      end_session=path != "bare"))
                print_step(steps[-1], flush=True)
                wait_idle(servers)
            if not any(s.within_budget for s in steps[-1 - len(servers):]):
                break
        print_sweep(steps, ("bare", *servers), args)
        if args.profile:
            first = next(iter(servers))
            profile_step(bench, first, servers[first], echo, steps, args)
    finally:
        stop_process(bare)


def print_step(step: Step, *, flush: bool = False) -> None:
    errors = ", ".join(f"{k} x{v}" for k, v in step.errors.items())
    print(f"{step.path:<10}{step.sessions:>6}{step.sent:>9}{step.lost:>7}{step.p50:>9.1f}{step.p99:>9.1f}"
          f"{step.cpu['server']:>9.0f}{step.cpu['echo']:>7.0f}{step.cpu['clients']:>9.0f}  {errors}", flush=flush)


def print_sweep(steps: list[Step], paths: tuple[str, ...], args: argparse.Namespace) -> None:
    print(f"\n{args.seconds:g} s of 20 ms frames per step; server = the platform's server process or the bare relay; "
          f"{args.client_procs} client process(es); load {load_average()}")
    print(f"{'path':<10}{'N':>6}{'frames':>9}{'lost':>7}{'p50 ms':>9}{'p99 ms':>9}{'server%':>9}{'echo%':>7}"
          f"{'client%':>9}  errors")
    for step in steps:
        print_step(step)
    for path in paths:
        ok = [s.sessions for s in steps if s.path == path and s.within_budget]
        over = [s.sessions for s in steps if s.path == path and not s.within_budget]
        # the ceiling is the last step below the first one over budget; a larger step that passed
        # again after it is noise on this machine, shown but not counted
        first_over = min(over) if over else None
        below = [n for n in ok if first_over is None or n < first_over]
        again = [n for n in ok if first_over is not None and n > first_over]
        tail = f" (exceeded at {first_over}" if over else " (never exceeded in this sweep"
        tail += f"; within budget again at {', '.join(map(str, again))})" if again else ")"
        print(f"{path}: sessions per process before p99 > {P99_BUDGET_MS:.0f} ms: {max(below) if below else 0}{tail}")


def profile_step(bench: Bench, name: str, server: Server, echo: multiprocessing.Process,
                 steps: list[Step], args: argparse.Namespace) -> None:
    """Rerun the server's largest step with py-spy sampling it (not during the sweep: it costs CPU)."""
    n = max(s.sessions for s in steps if s.path == name)
    out = Path(tempfile.mkdtemp()) / f"{name}.txt"
    command = [str(Path(sys.executable).parent / "py-spy"), "record", "-p", str(server.pid), "-r", "200",
               "-d", str(max(1, int(args.seconds))), "-f", "raw", "-o", str(out), "--nonblocking"]
    spies: list[subprocess.Popen[bytes]] = []

    def spy() -> None:  # only the streaming: room creation is not what the sweep measures
        spies.append(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

    try:
        urls = [f"{server.ws_base}/ws/room?access_token={token(bench, f'prof{n}-{i}', 'p')}" for i in range(n)]
        step = run_load("profiled", urls, args.seconds, args.client_procs, {"server": server.pid, "echo": echo.pid or 0},
                        end_session=True, on_start=spy)
        print_step(step)
    finally:
        for proc in spies:
            proc.wait(timeout=args.seconds + 60)
    print_profile(out, name, n)


FIRST_PARTY = {"agents", "rooms", "config", "tenancy", "api"}


def _frame(text: str) -> tuple[str, str]:
    """``func (pkg/module.py:line)`` -> (``func (module.py)``, top-level package or module)."""
    func, _, where = text.rpartition(" (")
    path = where.rsplit(":", 1)[0]
    return f"{func} ({path.rsplit('/', 1)[-1]})", path.split("/", 1)[0].removesuffix(".py")


def print_profile(raw: Path, name: str, n: int, top: int = 10) -> None:
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    packages: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [_frame(f) for f in stack.split(";") if " (" in f]
        total += int(count)
        if frames:
            own[frames[-1][0]] += int(count)
            packages[frames[-1][1]] += int(count)
        for function in {f[0] for f in frames if f[1] in FIRST_PARTY}:
            inclusive[function] += int(count)
    print(f"\npy-spy on {name}, {n} platform sessions, {total} samples (% of samples, all non-idle threads)")
    print(f"{'self %':>7}  {'function':<58}{'incl %':>7}  platform function (with what it calls)")
    for (fs, cs), (fi, ci) in zip(own.most_common(top), inclusive.most_common(top), strict=False):
        print(f"{100 * cs / total:>7.1f}  {fs[:58]:<58}{100 * ci / total:>7.1f}  {fi}")
    print("self time by package: " + ", ".join(f"{k} {100 * v / total:.0f}%" for k, v in packages.most_common(12)))


# --- chatroom mode --------------------------------------------------------------------------------------

@dataclass
class Listener:
    events: Counter[str] = field(default_factory=Counter)
    bytes: int = 0
    audio_ms: float = 0.0
    recording: list[tuple[float, str]] | None = None


async def _listen(ws: Any, listener: Listener, origin: float) -> None:
    async for raw in ws:
        event = json.loads(raw)
        kind = event.get("type", "?")
        if kind == "bench_replay_done":
            return
        listener.events[kind] += 1
        listener.bytes += len(raw)
        if kind == "agent_response_audio_delta":
            listener.audio_ms += len(event["delta"]) * 3 / 4 / 2 / 24
        if listener.recording is not None:
            listener.recording.append((time.perf_counter() - origin, raw))


async def _join(url: str, gate: asyncio.Semaphore) -> Any:
    async with gate:  # a few handshakes at a time: joins are serialised on the server's ORM thread
        ws = await websockets.connect(url, origin=ORIGIN, compression=None, max_size=None,  # type: ignore[arg-type]
                                      open_timeout=120, ping_interval=None)
        async for raw in ws:
            if '"server_session_created"' in raw:
                return ws
        raise RuntimeError(f"closed before the session started: {ws.close_code} {ws.close_reason}")


async def _join_all(urls: list[str]) -> list[Any]:
    gate = asyncio.Semaphore(8)
    return list(await asyncio.gather(*(_join(url, gate) for url in urls)))


async def chat_conversation(bench: Bench, server: Server, args: argparse.Namespace) -> dict[str, Any]:
    ws_base, pid = server.ws_base, server.pid
    room = bench.chat_room
    host_url = f"{ws_base}/ws/room?access_token={token(bench, room, 'host')}"
    urls = [host_url] + [f"{ws_base}/ws/room?access_token={token(bench, room, f'l{i}', publish=False)}"
                         for i in range(args.listeners)]
    sockets = await _join_all(urls)
    listeners = [Listener() for _ in sockets[1:]]
    listeners[0].recording = []
    idle_cpu, wall = cpu_seconds(pid), time.perf_counter()
    await asyncio.sleep(args.idle_seconds)
    idle = (cpu_seconds(pid) - idle_cpu) / (time.perf_counter() - wall)
    origin = time.perf_counter()
    readers = [asyncio.create_task(_listen(ws, lis, origin)) for ws, lis in zip(sockets[1:], listeners, strict=True)]
    cpu, client_cpu = cpu_seconds(pid), time.process_time()
    await sockets[0].send(json.dumps({"type": "client_text_append", "text": "Hello everyone, shall we begin?"}))
    await asyncio.sleep(args.chat_seconds)
    wall = time.perf_counter() - origin
    cpu, client_cpu = (cpu_seconds(pid) - cpu) / wall, (time.process_time() - client_cpu) / wall
    for reader in readers:
        reader.cancel()
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    return {"cpu": cpu, "idle": idle, "client_cpu": client_cpu, "seconds": wall, "listeners": listeners}


async def _replay(ws: Any, recording: list[tuple[float, str]], audience: list[Any], expected: int) -> None:
    audience.append(ws)
    if len(audience) == expected:
        start = time.perf_counter()
        for at, raw in recording:
            await asyncio.sleep(max(0.0, start + at - time.perf_counter()))
            for peer in audience:
                await peer.send(raw)  # one awaited send per socket, as the room does
        for peer in audience:
            await peer.send('{"type":"bench_replay_done"}')
    await ws.wait_closed()


def _serve_replay(port: int, path: str, expected: int) -> None:
    recording = [tuple(x) for x in json.loads(Path(path).read_text())]

    async def main() -> None:
        audience: list[Any] = []
        async with websockets.serve(lambda ws: _replay(ws, recording, audience, expected),
                                    "127.0.0.1", port, compression=None, max_size=None):
            await asyncio.Future()

    asyncio.run(main())


async def bare_fanout(recording: list[tuple[float, str]], sockets: int) -> float:
    """CPU seconds per second of a bare server sending ``recording`` to ``sockets`` clients."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(recording, f)
    port = free_port()
    proc = multiprocessing.Process(target=_serve_replay, args=(port, f.name, sockets), daemon=True)
    proc.start()
    try:
        wait_for_port(port)
        assert proc.pid is not None
        cpu, wall = cpu_seconds(proc.pid), time.perf_counter()
        clients = [await websockets.connect(f"ws://127.0.0.1:{port}/", compression=None, max_size=None)
                   for _ in range(sockets)]
        await asyncio.gather(*(_listen(ws, Listener(), 0.0) for ws in clients))
        cpu, wall = cpu_seconds(proc.pid) - cpu, time.perf_counter() - wall
        await asyncio.gather(*(ws.close() for ws in clients))
        return cpu / wall
    finally:
        stop_process(proc)
        os.unlink(f.name)


def chatroom_mode(bench: Bench, name: str, server: Server, args: argparse.Namespace) -> None:
    result = asyncio.run(chat_conversation(bench, server, args))
    listeners: list[Listener] = result["listeners"]
    recording = listeners[0].recording or []
    replay = asyncio.run(bare_fanout(recording, args.listeners + 1))
    seconds, n = result["seconds"], len(listeners)
    events = sum(sum(lis.events.values()) for lis in listeners)
    kinds = listeners[0].events
    print(f"\nChatRoom on {name}: 3 local agents (floor {args.floor}), 1 host + {n} listeners, {seconds:.1f} s of conversation; "
          f"load {load_average()}")
    print(f"{'measure':<44}{'value':>10}")
    rows = [
        (f"{name} CPU s per s of conversation", result["cpu"]),
        (f"  baseline: same {name}, same sockets, idle", result["idle"]),
        ("  baseline: bare websockets replaying it", replay),
        ("events/s delivered to all listeners", events / seconds),
        ("KB/s delivered to all listeners", sum(lis.bytes for lis in listeners) / seconds / 1024),
        ("agent audio s per s, per listener", sum(lis.audio_ms for lis in listeners) / n / 1000 / seconds),
        ("agent responses started", kinds["agent_response_created"]),
        ("agent responses cancelled", kinds["agent_response_cancelled"]),
        ("bench client CPU s per s (all 21 sockets)", result["client_cpu"]),
    ]
    for name, value in rows:
        print(f"{name:<44}{value:>10.3f}" if value < 10 else f"{name:<44}{value:>10,.0f}")
    print(f"platform / bare replay: {result['cpu'] / max(replay, 1e-9):.1f}x CPU for the same events")


# --- main -----------------------------------------------------------------------------------------------

def main() -> None:
    from tests.support.servers import SERVERS, project_env, server_process

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("mode", nargs="?", choices=("sessions", "chatroom", "all"), default="all")
    parser.add_argument("--sweep", type=lambda s: [int(x) for x in s.split(",")], default=[50, 100, 200])
    parser.add_argument("--seconds", type=float, default=5.0, help="streaming time per sweep step")
    parser.add_argument("--servers", type=lambda s: s.split(","), default=list(SERVERS),
                        help=f"comma-separated, from {', '.join(SERVERS)}")
    parser.add_argument("--client-procs", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="py-spy on the first server at its largest step")
    parser.add_argument("--chat-seconds", type=float, default=20.0)
    parser.add_argument("--idle-seconds", type=float, default=5.0)
    parser.add_argument("--listeners", type=int, default=20)
    parser.add_argument("--floor", choices=("free", "round_robin", "addressed"), default="free")
    args = parser.parse_args()

    migrate()
    import django

    django.setup()
    logging.getLogger("websockets").setLevel(logging.WARNING)  # per-connection INFO lines from the children

    with ExitStack() as stack:
        echo, echo_url = start_echo_provider()
        stack.callback(stop_process, echo)
        bench = provision(echo_url, args.floor)
        stack.callback(unprovision, bench)
        env = project_env(CELERY_QUEUE=bench.queue, LOCAL_MODEL_SPEED="1")
        servers: dict[str, Server] = {}
        for name in args.servers:
            base, proc = stack.enter_context(server_process(env, server=name))
            servers[name] = Server(base.replace("http://", "ws://"), proc.pid)
        print(", ".join(f"{name} pid {s.pid}" for name, s in servers.items())
              + f"; {os.cpu_count()} CPUs, load {load_average()}", flush=True)
        if args.mode in ("sessions", "all"):
            print(f"{'path':<10}{'N':>6}{'frames':>9}{'lost':>7}{'p50 ms':>9}{'p99 ms':>9}{'server%':>9}"
                  f"{'echo%':>7}{'client%':>9}  errors", flush=True)
            sessions_mode(bench, servers, echo, echo_url, args)
        if args.mode in ("chatroom", "all"):
            wait_idle(servers)  # a saturated sweep step leaves a backlog that would count as room CPU
            first = next(iter(servers))
            chatroom_mode(bench, first, servers[first], args)


if __name__ == "__main__":
    main()
