"""/fhir/: the read-only FHIR R5 endpoint (fhir_api.views), mounted by config/urls.py."""

from django.urls import path, re_path

from . import views

app_name = "fhir"

urlpatterns = [
    path("metadata", views.MetadataView.as_view(), name="metadata"),
    path("Citation", views.CitationSearchView.as_view(), name="citation-search"),
    path("Citation/<str:ident>", views.CitationReadView.as_view(), name="citation-read"),
    path("Evidence/<str:ident>", views.EvidenceReadView.as_view(), name="evidence-read"),
    path(
        "ArtifactAssessment/<str:ident>",
        views.ArtifactAssessmentReadView.as_view(),
        name="artifactassessment-read",
    ),
    path("Bundle", views.BundleSearchView.as_view(), name="bundle-search"),
    re_path(r"^[\s\S]*$", views.NotFoundView.as_view(), name="not-found"),
]
