from django.urls import path

from workflows import (
    dashboard_views,
    planning_views,
    review_form_views,
    reviewer_profile_views,
    round_views,
    text_views,
    views,
)

app_name = "workflows"

urlpatterns = [
    path("deliverables/", views.deliverable_list, name="deliverable_list"),
    path("deliverables/<int:pk>/", views.deliverable_detail, name="deliverable"),
    path(
        "deliverables/<int:pk>/transition/",
        views.deliverable_transition,
        name="deliverable_transition",
    ),
    path("deliverables/<int:pk>/cancel/", views.deliverable_cancel, name="deliverable_cancel"),
    path("deliverables/<int:pk>/due-date/", views.change_due_date, name="change_due_date"),
    path("deliverables/<int:pk>/versions/new/", views.version_upload, name="version_upload"),
    path(
        "deliverables/<int:pk>/versions/<int:number>/download/",
        views.version_download,
        name="version_download",
    ),
    # reading versions in the page (issue 16): a version's text, two versions compared
    path(
        "deliverables/<int:pk>/versions/<int:number>/preview/",
        text_views.version_preview,
        name="version_preview",
    ),
    path("deliverables/<int:pk>/compare/", text_views.version_compare, name="version_compare"),
    path("deliverables/<int:pk>/reviewers/", views.assign_reviewers, name="assign_reviewers"),
    path("assignments/<int:pk>/withdraw/", views.assignment_withdraw, name="assignment_withdraw"),
    path("assignments/<int:pk>/due-date/", views.assignment_due_date, name="assignment_due_date"),
    path("reviews/", views.my_reviews, name="my_reviews"),
    path("reviews/<int:pk>/", views.review_form, name="review"),
    path("reviews/<int:pk>/accept/", review_form_views.assignment_accept, name="assignment_accept"),
    path("reviews/<int:pk>/decline/", views.assignment_decline, name="assignment_decline"),
    path("reviews/<int:pk>/annotated/", views.annotated_download, name="annotated_download"),
    path("dashboard/division/", dashboard_views.division, name="division"),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("dashboard/export.csv", dashboard_views.dashboard_export, name="dashboard_export"),
    # planning (products, deliverables, the hand-over, sending a draft for review)
    path("products/", planning_views.product_list, name="product_list"),
    path("products/new/", planning_views.product_new, name="product_new"),
    path("products/<int:pk>/", planning_views.product_detail, name="product_detail"),
    path("products/<int:pk>/edit/", planning_views.product_edit, name="product_edit"),
    path("products/<int:pk>/review-form/", review_form_views.review_form_edit, name="review_form"),
    path("deliverables/new/", planning_views.deliverable_new, name="deliverable_new"),
    path("deliverables/<int:pk>/edit/", planning_views.deliverable_edit, name="deliverable_edit"),
    path("deliverables/<int:pk>/hand-over/", planning_views.hand_over, name="hand_over"),
    path(
        "deliverables/<int:pk>/send-for-review/",
        planning_views.send_for_review,
        name="send_for_review",
    ),
    path("deliverables/<int:pk>/response/", round_views.owner_response, name="owner_response"),
    path("deliverables/<int:pk>/reinvite/", round_views.reinvite, name="reinvite"),
    path(
        "accounts/reviewer-profile/",
        reviewer_profile_views.reviewer_profile,
        name="reviewer_profile",
    ),
    path("accounts/away/", reviewer_profile_views.away_add, name="away_add"),
    path(
        "accounts/away/<int:pk>/remove/",
        reviewer_profile_views.away_remove,
        name="away_remove",
    ),
]
