"""Writes of the records app. The rooms layer calls ``session_end`` and ``room_event``."""

from rooms.records.services.sessions import session_end
from rooms.records.services.webhooks import room_event

__all__ = ["room_event", "session_end"]
