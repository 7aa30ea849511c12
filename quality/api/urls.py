"""The quality API (``config/api_urls.py`` mounts it under /api/v1/): the office's quality reports
(``quality-reports``) and the published versions (``public/quality-reports``)."""

from rest_framework.routers import SimpleRouter

from quality.api.public import PublicQualityReportViewSet
from quality.api.views import QualityReportViewSet

router = SimpleRouter()
router.register("quality-reports", QualityReportViewSet, basename="quality-report")
router.register("public/quality-reports", PublicQualityReportViewSet, basename="public-quality-report")
