"""Routes of the notifications API, included under /api/v1/ by cepa_collab/urls.py."""

from django.urls import path

from cepa_collab.api_contract import ApiRouter
from notifications import api

router = ApiRouter()
router.register("notifications", api.NotificationViewSet, basename="api-notification")

urlpatterns = [
    path(
        "me/notification-preferences/",
        api.NotificationPreferencesView.as_view(),
        name="api-notification-preferences",
    ),
    *router.urls,
]
