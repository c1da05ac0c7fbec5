"""A transport whose writes wait for the end of the event loop's tick, then go out in one write.

A server relaying sessions' audio writes to a provider socket and a person's socket for every frame,
each write as the frame is handled. On loopback and on one machine (the benchmarks, a provider or
proxy on the same host), the writer's system call also runs the reader's TCP receive and wakes the
reading process; spread one by one over a tick, nearly every write finds its reader asleep and pays
for waking it. Held until the tick ends, the tick's writes go out back to back: a reader woken by
the first is still awake for the rest, and it reads several sockets per wake-up (so its replies
come back together too). A socket that was written twice in one tick gets one system call.

The delay is one pass of the event loop (microseconds); order on each socket is kept. ``close()``
and ``write_eof()`` write what is held first; ``abort()`` drops it, as aborting a transport drops its
buffer; what is held when the connection is lost is dropped with it. ``get_write_buffer_size()``
counts held bytes, so a writer's back-pressure check sees them, and past ``HOLD_LIMIT`` held bytes
a write goes straight through, so the transport's own flow control still stops a writer. Figures: README, "Performance".
"""

from __future__ import annotations

import asyncio
from typing import Any

HOLD_LIMIT = 64 * 1024  # held bytes past which a write goes straight out: a writer that never yields
# would otherwise hold everything it writes, with the transport's buffer (and so its back-pressure)
# seeing none of it


class TickTransport(asyncio.Transport):
    """Wraps the transport a protocol was given in ``connection_made``; every other call passes through."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop | None = None) -> None:
        super().__init__()
        self.inner = transport
        self._loop = loop or asyncio.get_running_loop()
        self._held: list[bytes] = []
        self._held_bytes = 0

    # --- writing -------------------------------------------------------------------------------------

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not data:
            return
        if not self._held:
            self._loop.call_soon(self.flush)
        self._held.append(data if type(data) is bytes else bytes(data))  # the caller may reuse a buffer
        self._held_bytes += len(data)
        if self._held_bytes >= HOLD_LIMIT:
            self.flush()

    def writelines(self, list_of_data: Any) -> None:
        for data in list_of_data:
            self.write(data)

    def flush(self) -> None:
        """Write what is held now (the loop calls this at the end of the tick that first held bytes)."""
        if not self._held:
            return
        held, self._held, self._held_bytes = self._held, [], 0
        if self.inner.is_closing():
            return  # the connection is gone or going: a write would raise or be dropped
        self.inner.write(held[0] if len(held) == 1 else b"".join(held))

    def get_write_buffer_size(self) -> int:
        return self.inner.get_write_buffer_size() + self._held_bytes

    def write_eof(self) -> None:
        self.flush()
        self.inner.write_eof()

    def close(self) -> None:
        self.flush()
        self.inner.close()

    def abort(self) -> None:
        self._held, self._held_bytes = [], 0
        self.inner.abort()

    # --- passed through ------------------------------------------------------------------------------

    def can_write_eof(self) -> bool:
        return self.inner.can_write_eof()

    def get_write_buffer_limits(self) -> tuple[int, int]:
        return self.inner.get_write_buffer_limits()

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        self.inner.set_write_buffer_limits(high, low)

    def is_closing(self) -> bool:
        return self.inner.is_closing()

    def is_reading(self) -> bool:
        return self.inner.is_reading()

    def pause_reading(self) -> None:
        self.inner.pause_reading()

    def resume_reading(self) -> None:
        self.inner.resume_reading()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self.inner.get_extra_info(name, default)

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self.inner.set_protocol(protocol)

    def get_protocol(self) -> asyncio.BaseProtocol:
        return self.inner.get_protocol()


class TickWrites(asyncio.Protocol):
    """Mixin, listed before the protocol class it wraps: the transport it is given is a
    ``TickTransport`` from ``connection_made`` on, for the protocol's own writes and its library's."""

    transport: asyncio.Transport

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self.transport = TickTransport(self.transport)
