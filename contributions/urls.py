from django.urls import path

from contributions import views

app_name = "contributions"

urlpatterns = [
    path("contributions/", views.contribution_list, name="contribution_list"),
    path("contributions/new/", views.propose, name="propose"),
    path("contributions/<int:pk>/", views.detail, name="detail"),
    path("contributions/<int:pk>/edit/", views.edit, name="edit"),
    path("contributions/<int:pk>/transition/", views.transition, name="transition"),
    path("contributions/<int:pk>/transition/<str:name>/", views.confirm, name="confirm"),
    path("contributions/<int:pk>/incorporate/", views.incorporate, name="incorporate"),
    path(
        "contributions/<int:pk>/attachments/<int:attachment_pk>/",
        views.attachment_download,
        name="attachment",
    ),
    path(
        "contributions/<int:pk>/attachments/<int:attachment_pk>/remove/",
        views.attachment_remove,
        name="attachment_remove",
    ),
]
