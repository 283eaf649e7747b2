"""The search app's URL: /search/ (mounted by config/urls.py)."""

from django.urls import path

from . import views

app_name = "search"

urlpatterns = [
    path("", views.search, name="search"),
]
