"""/api/v1/conditions/, /api/v1/verdicts/ and /api/v1/studies/."""

from rest_framework.routers import SimpleRouter

from .candidates import CandidateViewSet
from .conditions import ConditionViewSet
from .studies import StudyViewSet
from .verdicts import VerdictViewSet

app_name = "evidence"

router = SimpleRouter()
router.register("conditions", ConditionViewSet, basename="condition")
router.register("verdicts", VerdictViewSet, basename="verdict")
router.register("studies", StudyViewSet, basename="study")
router.register("candidates", CandidateViewSet, basename="candidate")

urlpatterns = router.urls
