"""/api/v1/references/ and /api/v1/imports/."""

from rest_framework.routers import SimpleRouter

from .views import ImportJobViewSet, ReferenceViewSet

app_name = "references"

router = SimpleRouter()
router.register("references", ReferenceViewSet, basename="reference")
router.register("imports", ImportJobViewSet, basename="importjob")

urlpatterns = router.urls
