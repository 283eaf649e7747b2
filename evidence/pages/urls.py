"""The evidence pages' URLs: the index, a condition, a therapy for a condition, its references."""

from django.urls import path, re_path

from . import views

app_name = "evidence"

urlpatterns = [
    path("", views.home, name="home"),
    path("conditions/<slug:slug>/", views.condition_detail, name="condition-detail"),
    path(
        "conditions/<slug:condition_slug>/<slug:therapy_slug>/",
        views.pair_detail,
        name="pair-detail",
    ),
    re_path(
        r"^conditions/(?P<condition_slug>[-\w]+)/(?P<therapy_slug>[-\w]+)/"
        r"references\.(?P<extension>ris|bib|json)$",
        views.pair_references_export,
        name="pair-references",
    ),
]
