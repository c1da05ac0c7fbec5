"""WebSocket close codes the rooms endpoints use (documented in the README).

4xxx codes follow HTTP's meaning where one fits, as LiveKit clients expect from 401/403 joins.
"""

from __future__ import annotations

NORMAL = 1000  # the room or session ended
MESSAGE_TOO_BIG = 1009  # a frame over the hard size cap
UNAUTHORIZED = 4401  # no token, or the token was rejected (reason says why: expired, bad_signature, ...)
FORBIDDEN = 4403  # valid token without roomJoin / identity, or for another room or organization
ROOM_FULL = 4409  # max_participants reached
ROOM_ELSEWHERE = 4421  # the room is hosted by another process; connect there
REMOVED = 4410  # removed by a room admin
FLOOD = 4008  # sustained message flood (policy violation)

REASONS = {
    UNAUTHORIZED: "unauthorized",
    FORBIDDEN: "forbidden",
    ROOM_FULL: "room_full",
    ROOM_ELSEWHERE: "room_hosted_elsewhere",
    REMOVED: "removed",
    FLOOD: "flood",
    MESSAGE_TOO_BIG: "message_too_big",
    NORMAL: "ended",
}
