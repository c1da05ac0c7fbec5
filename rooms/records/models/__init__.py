"""Records that outlive the realtime processes: transcripts, shutdown hooks and webhook deliveries."""

from rooms.records.models.hooks import *  # noqa: F403
from rooms.records.models.transcripts import *  # noqa: F403
from rooms.records.models.webhooks import *  # noqa: F403
