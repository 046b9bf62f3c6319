from django.urls import path

from advisory import views

app_name = "advisory"

urlpatterns = [
    path("advisory-requests/<int:pk>/", views.detail, name="detail"),
]
