from __future__ import annotations

from django.urls import path

from rooms.apis.config import RoomConfigDetailApi, RoomConfigListApi

urlpatterns = [
    path("room-configs/", RoomConfigListApi.as_view(), name="api-room-configs"),
    path("room-configs/<str:ref>/", RoomConfigDetailApi.as_view(), name="api-room-config"),
]
