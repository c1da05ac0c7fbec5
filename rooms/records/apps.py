from django.apps import AppConfig


class RecordsConfig(AppConfig):
    """What outlives the realtime processes: transcripts, shutdown hooks and webhook deliveries."""

    name = "rooms.records"
    label = "records"
    verbose_name = "Transcripts and hooks"
    default_auto_field = "django.db.models.BigAutoField"
