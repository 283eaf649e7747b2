"""The evidence pages' URLs: the index, a condition, a therapy for a condition, its references."""

from django.urls import path, re_path

from . import feeds, versions, views

app_name = "evidence"

urlpatterns = [
    path("", views.home, name="home"),
    path("feed.atom", feeds.PublicationsFeed(), name="feed"),
    path("conditions/<slug:slug>/", views.condition_detail, name="condition-detail"),
    path(
        "conditions/<slug:slug>/feed.atom",
        feeds.ConditionPublicationsFeed(),
        name="condition-feed",
    ),
    path("conditions/<slug:slug>/follow/", versions.condition_follow, name="condition-follow"),
    path(
        "conditions/<slug:condition_slug>/<slug:therapy_slug>/",
        views.pair_detail,
        name="pair-detail",
    ),
    path(
        "conditions/<slug:condition_slug>/<slug:therapy_slug>/versions/",
        versions.pair_versions,
        name="pair-versions",
    ),
    path(
        "conditions/<slug:condition_slug>/<slug:therapy_slug>/versions/compare/",
        versions.pair_version_compare,
        name="pair-version-compare",
    ),
    re_path(
        r"^conditions/(?P<condition_slug>[-\w]+)/(?P<therapy_slug>[-\w]+)/"
        r"versions/(?P<number>[0-9]{1,9})/$",
        versions.pair_version,
        name="pair-version",
    ),
    path(
        "conditions/<slug:condition_slug>/<slug:therapy_slug>/follow/",
        versions.pair_follow,
        name="pair-follow",
    ),
    re_path(
        r"^conditions/(?P<condition_slug>[-\w]+)/(?P<therapy_slug>[-\w]+)/"
        r"references\.(?P<extension>ris|bib|json)$",
        views.pair_references_export,
        name="pair-references",
    ),
]
