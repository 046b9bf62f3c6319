from django.urls import path

from discussions import views

app_name = "discussions"

urlpatterns = [
    path("deliverables/<int:pk>/discussion/", views.deliverable_thread, name="deliverable"),
    path("reviews/<int:pk>/discussion/", views.review_thread, name="review"),
]
