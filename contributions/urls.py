from django.urls import path

from contributions import views

app_name = "contributions"

urlpatterns = [
    path("contributions/<int:pk>/", views.detail, name="detail"),
]
