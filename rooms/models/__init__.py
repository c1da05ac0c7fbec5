"""Room models: configuration (``config``) and live rooms, participants and sessions (``live``)."""

from rooms.models.config import *  # noqa: F403  (RoomConfig)
from rooms.models.live import *  # noqa: F403
