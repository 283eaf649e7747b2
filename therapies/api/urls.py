"""/api/v1/therapies/."""

from rest_framework.routers import SimpleRouter

from .views import TherapyViewSet

app_name = "therapies"

router = SimpleRouter()
router.register("therapies", TherapyViewSet, basename="therapy")

urlpatterns = router.urls
