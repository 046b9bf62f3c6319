from django.urls import path

from advisory import views

app_name = "advisory"

urlpatterns = [
    path("advisory-requests/", views.request_list, name="request_list"),
    path("advisory-requests/export.csv", views.request_export, name="export"),
    path("advisory-requests/new/", views.request_create, name="create"),
    path("advisory-requests/<int:pk>/", views.request_detail, name="detail"),
    path("advisory-requests/<int:pk>/transition/", views.request_transition, name="transition"),
    path(
        "advisory-requests/<int:pk>/transition/<str:name>/",
        views.request_confirm,
        name="confirm",
    ),
    path("advisory-requests/<int:pk>/team/", views.request_team, name="team"),
    path("advisory-requests/<int:pk>/mission/", views.request_mission, name="mission"),
    path("advisory-requests/<int:pk>/plan-review/", views.plan_review, name="plan_review"),
    path("advisory-requests/<int:pk>/documents/", views.document_upload, name="document_upload"),
    path(
        "advisory-requests/<int:pk>/documents/<int:document_pk>/download/",
        views.document_download,
        name="document_download",
    ),
    path("advisory-requests/<int:pk>/milestones/", views.milestone_add, name="milestone_add"),
    path(
        "advisory-requests/<int:pk>/milestones/<int:milestone_pk>/complete/",
        views.milestone_complete,
        name="milestone_complete",
    ),
    path(
        "advisory-requests/<int:pk>/milestones/<int:milestone_pk>/cancel/",
        views.milestone_cancel,
        name="milestone_cancel",
    ),
    path(
        "advisory-requests/<int:pk>/milestones/<int:milestone_pk>/due-date/",
        views.milestone_move,
        name="milestone_move",
    ),
    path("advisory-requests/<int:pk>/comments/", views.comment_add, name="comment"),
]
