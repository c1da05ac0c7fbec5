from __future__ import annotations

from django.urls import path

from rooms.records.apis import (
    SessionDetailApi,
    SessionListApi,
    SessionTranscriptApi,
    SessionTranscriptTextApi,
)

urlpatterns = [
    path("sessions/", SessionListApi.as_view(), name="api-sessions"),
    path("sessions/<uuid:public_id>/", SessionDetailApi.as_view(), name="api-session"),
    path("sessions/<uuid:public_id>/transcript/", SessionTranscriptApi.as_view(), name="api-session-transcript"),
    path("sessions/<uuid:public_id>/transcript.txt", SessionTranscriptTextApi.as_view(),
         name="api-session-transcript-txt"),
]
