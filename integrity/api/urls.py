"""The academic integrity API (submissions, originality checks and the violations register); ``config/api_urls.py``
mounts it under /api/v1/."""

from rest_framework.routers import SimpleRouter

from integrity.api.views import CaseViewSet, OriginalityReportViewSet, SubmissionViewSet

router = SimpleRouter()
router.register("submissions", SubmissionViewSet, basename="submission")
router.register("originality-reports", OriginalityReportViewSet, basename="originality-report")
router.register("cases", CaseViewSet, basename="case")
