from django.urls import path

from meetings import feeds, views

app_name = "meetings"

urlpatterns = [
    path("meetings/", views.meeting_list, name="list"),
    path("meetings/month/", views.meeting_month, name="month"),
    path("meetings/new/", views.meeting_create, name="create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="edit"),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel, name="cancel"),
    path("meetings/<int:pk>/reply/", views.meeting_reply, name="reply"),
    path(
        "meetings/<int:pk>/participants/<int:participant_pk>/remove/",
        views.participant_remove,
        name="remove_participant",
    ),
    path("calendar/subscriptions/", views.subscriptions, name="subscriptions"),
    path("calendar/subscriptions/reset/", views.subscription_reset, name="subscription_reset"),
    path("calendar/public.ics", feeds.public_feed, name="public_feed"),
    path("calendar/meetings/<int:pk>.ics", feeds.meeting_file, name="meeting_ics"),
    path("calendar/feed/<str:token>.ics", feeds.personal_feed, name="personal_feed"),
    path("calendar/branch/<str:token>.ics", feeds.branch_feed, name="branch_feed"),
]
