"""The supervision API (``config/api_urls.py`` mounts it under /api/v1/): the scoped inspections, findings,
corrective actions and reports, and the public (anonymous) API of published results."""

from rest_framework.routers import SimpleRouter

from supervision.api.public import PublicInspectionViewSet
from supervision.api.views import (
    CorrectiveActionViewSet,
    FindingViewSet,
    InspectionReportViewSet,
    InspectionViewSet,
)

router = SimpleRouter()
router.register("inspections", InspectionViewSet, basename="inspection")
router.register("findings", FindingViewSet, basename="finding")
router.register("corrective-actions", CorrectiveActionViewSet, basename="corrective-action")
router.register("inspection-reports", InspectionReportViewSet, basename="inspection-report")
router.register("public/inspections", PublicInspectionViewSet, basename="public-inspection")
