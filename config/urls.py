"""Top-level URL configuration."""

from django.contrib import admin
from django.urls import include, path

from config import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    path("fhir/", include("fhir_api.urls")),
    path("", include("evidence.pages.urls")),
    path("search/", include("search.urls")),
    path("therapies/", include("therapies.urls")),
]
