"""The REST API, version 1: each app's api/urls.py, the token endpoint, schema and docs."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token

from config.api.exceptions import not_found

app_name = "api"

urlpatterns = [
    path("", include("evidence.api.urls")),
    path("", include("therapies.api.urls")),
    path("", include("references.api.urls")),
    path("auth/token/", obtain_auth_token, name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    re_path(r"^[\s\S]*$", not_found, name="not-found"),
]
