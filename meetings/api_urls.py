"""Routes of the meetings API, included under /api/v1/ by cepa_collab/urls.py."""

from django.urls import path

from cepa_collab.api_contract import ApiRouter
from meetings import api

router = ApiRouter()
router.register("meetings", api.MeetingViewSet, basename="api-meeting")

urlpatterns = [
    path("me/calendar/", api.CalendarView.as_view(), name="api-calendar"),
    path("me/calendar/reset/", api.CalendarResetView.as_view(), name="api-calendar-reset"),
    *router.urls,
]
