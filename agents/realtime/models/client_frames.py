"""Masked WebSocket text frames for what a provider socket sends 50 times a second per session.

``websockets`` sends a message through an async context manager, the sans-I/O protocol, a ``Frame``
object and a fresh ``os.urandom`` call for its mask: about 15 µs of CPU per audio append on the
build machine, where writing the frame directly costs under 4 µs. The library still owns everything
else on the connection (handshake, TLS, proxies, reading, ping/pong, close); this only builds the
bytes of one unfragmented client text frame (RFC 6455 section 5.2), which the caller writes when
the connection is open and its write buffer is under the limit. ``frame_header`` also frames what
uvicorn's room protocol (``config.uvicorn_websocket``) writes to people, unmasked.
"""

from __future__ import annotations

import os
import struct

from websockets.frames import TEXT, apply_mask

_FIN = 0x80
_MASKED = 0x80
_SHORT = struct.Struct("!BB")
_MEDIUM = struct.Struct("!BBH")  # payload length 126..65535
_LONG = struct.Struct("!BBQ")
_KEYS_PER_DRAW = 1024


class MaskKeys:
    """Mask keys from the operating system's CSPRNG (RFC 6455 asks for unpredictable keys), drawn
    4 KiB at a time instead of one system call per frame."""

    def __init__(self) -> None:
        self._pool = b""
        self._at = 0

    def next(self) -> bytes:
        if self._at >= len(self._pool):
            self._pool = os.urandom(4 * _KEYS_PER_DRAW)
            self._at = 0
        key = self._pool[self._at:self._at + 4]
        self._at += 4
        return key


_keys = MaskKeys()


def frame_header(opcode: int, length: int, *, masked: bool) -> bytes:
    """The header of one final frame with a ``length``-byte payload, up to its mask key: clients mask
    what they send, servers do not."""
    first, mask_bit = _FIN | opcode, _MASKED if masked else 0
    if length < 126:
        return _SHORT.pack(first, mask_bit | length)
    if length < 65536:
        return _MEDIUM.pack(first, mask_bit | 126, length)
    return _LONG.pack(first, mask_bit | 127, length)


def masked_text_frame(payload: bytes) -> bytes:
    """One final, masked text frame carrying ``payload`` (UTF-8 text)."""
    key = _keys.next()
    return frame_header(TEXT, len(payload), masked=True) + key + apply_mask(payload, key)
