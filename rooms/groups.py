"""Channel-layer group names, built in exactly one place per scope."""

from __future__ import annotations


def room_group(organization_id: int, room_id: int) -> str:
    # Group names must match ^[a-zA-Z0-9\-_.]+$ and stay under 100 characters.
    return f"room.{organization_id}.{room_id}"
