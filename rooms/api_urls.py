from __future__ import annotations

from django.urls import path

from rooms.apis.config import RoomConfigDetailApi, RoomConfigListApi
from rooms.apis.live import RoomDataApi, RoomEndApi, RoomListApi, RoomMetadataApi, RoomRemoveParticipantApi

urlpatterns = [
    path("room-configs/", RoomConfigListApi.as_view(), name="api-room-configs"),
    path("room-configs/<str:ref>/", RoomConfigDetailApi.as_view(), name="api-room-config"),
    path("rooms/", RoomListApi.as_view(), name="api-rooms"),
    path("rooms/<str:sid>/data/", RoomDataApi.as_view(), name="api-room-data"),
    path("rooms/<str:sid>/metadata/", RoomMetadataApi.as_view(), name="api-room-metadata"),
    path("rooms/<str:sid>/remove-participant/", RoomRemoveParticipantApi.as_view(), name="api-room-remove"),
    path("rooms/<str:sid>/end/", RoomEndApi.as_view(), name="api-room-end"),
]
