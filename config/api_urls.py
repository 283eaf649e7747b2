"""The REST API, version 1: each app's api/urls.py, the token endpoint, schema and docs."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from config.api.auth import token_view
from config.api.docs import SwaggerView
from config.api.exceptions import not_found

app_name = "api"

urlpatterns = [
    path("", include("evidence.api.urls")),
    path("", include("therapies.api.urls")),
    path("", include("references.api.urls")),
    path("auth/token/", token_view, name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SwaggerView.as_view(url_name="api:schema"), name="docs"),
    re_path(r"^[\s\S]*$", not_found, name="not-found"),
]
