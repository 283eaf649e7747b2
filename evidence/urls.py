from django.urls import path

from . import views

app_name = "evidence"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("conditions/<slug:slug>/", views.condition_detail, name="condition-detail"),
    path(
        "conditions/<slug:condition_slug>/<slug:therapy_slug>/",
        views.pair_detail,
        name="pair-detail",
    ),
]
